"""Procedures (démarches) with a versioned field schema, and cases (dossiers)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from levier.contacts.models import Contact
from levier.core import policy
from levier.core.models import Organisation, Team
from levier.core.text import fold
from levier.core.uploads import active_content_labels


class Procedure(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="procedures"
    )
    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    reference_prefix = models.CharField(_("reference prefix"), max_length=6)
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        related_name="procedures",
        verbose_name=_("instructing team"),
    )
    published = models.BooleanField(_("published on the portal"), default=False)
    instruction_days = models.PositiveIntegerField(_("instruction deadline (days)"), default=30)
    # The schema being edited; publishing it freezes it as a new ProcedureVersion.
    field_schema = models.JSONField(_("field schema"), default=list, blank=True)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def current_version(self) -> ProcedureVersion | None:
        return self.versions.order_by("-number").first()

    @property
    def active_schema(self) -> list[dict]:
        """The fields new cases are submitted with: the current version's, else the draft."""
        version = self.current_version
        return version.field_schema if version else self.field_schema


class ProcedureVersion(models.Model):
    """A frozen field schema. A case keeps the version it was submitted on."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    field_schema = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="unique_procedure_version")
        ]
        ordering = ["procedure", "-number"]

    def __str__(self) -> str:
        return f"{self.procedure} v{self.number}"


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    WAITING_FOR_USAGER = "waiting_for_usager", _("Waiting for the usager")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    CLOSED_WITHOUT_FOLLOW_UP = "closed_without_follow_up", _("Closed without follow-up")


# What agents may filter or target on: every status but draft (see agent_case_scope).
AGENT_STATUS_CHOICES = [
    (value, label) for value, label in CaseStatus.choices if value != CaseStatus.DRAFT
]

OPEN_STATUSES = [
    CaseStatus.SUBMITTED,
    CaseStatus.IN_REVIEW,
    CaseStatus.WAITING_FOR_USAGER,
]


def agent_case_scope(agent, *, via: str = "") -> models.Q:
    """The cases an agent may see, as a condition on Case (or, with `via`, on a model that
    points to one, e.g. via="case" for a flag): those of their teams, drafts excepted.

    A draft belongs to its usager until they submit it: no agent list, page, action,
    count, export or merge may show it. Every agent-facing read of cases goes through
    here (`Case.objects.visible_to`, `Case.is_visible_to`, files and flags of a case).
    """
    prefix = f"{via}__" if via else ""
    return models.Q(**{f"{prefix}team_id__in": policy.visible_team_ids(agent)}) & ~models.Q(
        **{f"{prefix}status": CaseStatus.DRAFT}
    )


def case_search_text(reference: str, contact: Contact) -> str:
    """What the search box matches for a case: reference, name, SIRET and email, folded."""
    return fold(f"{reference} {contact.display_name} {contact.siret} {contact.email}")


class CaseQuerySet(models.QuerySet):
    def refresh_search_text(self) -> int:
        """Recompute search_text (after a contact changed or was merged)."""
        changed = 0
        for case in self.select_related("contact").only("reference", "search_text", "contact"):
            text = case_search_text(case.reference, case.contact)
            if text != case.search_text:
                type(case).objects.filter(pk=case.pk).update(search_text=text)
                changed += 1
        return changed

    def visible_to(self, agent) -> CaseQuerySet:
        """Cases of the agent's teams, drafts excepted (see agent_case_scope)."""
        return self.filter(policy.rows_for(agent, "cases.case"))

    def exclude_drafts(self) -> CaseQuerySet:
        """Cases their usager has submitted, whatever became of them since (for robots)."""
        return self.exclude(status=CaseStatus.DRAFT)

    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN_STATUSES)


class Case(models.Model):
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="cases", verbose_name=_("procedure")
    )
    procedure_version = models.ForeignKey(
        ProcedureVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("procedure version"),
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, related_name="cases", verbose_name=_("usager")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="cases", verbose_name=_("team")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assigned to"),
    )
    status = models.CharField(
        _("status"), max_length=30, choices=CaseStatus.choices, default=CaseStatus.DRAFT
    )
    status_reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("declared data"), default=dict)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    due_at = models.DateTimeField(_("instruction deadline"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # HMAC of the verification code given to the usager (never the code itself).
    verification_digest = models.CharField(max_length=64, blank=True)
    # Lower-cased, accent-free: reference, name, SIRET, email (trigram-indexed on PostgreSQL).
    search_text = models.TextField(blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["team", "-id"], name="case_team_id"),
            models.Index(fields=["team", "status", "-id"], name="case_team_status_id"),
            models.Index(fields=["assignee", "-id"], name="case_assignee_id"),
            models.Index(fields=["procedure", "-id"], name="case_procedure_id"),
            models.Index(fields=["status", "-id"], name="case_status_id"),
            models.Index(fields=["due_at"], name="case_due_at"),
            # The team queue and "my work" read these, newest first, LIMIT 26.
            models.Index(
                fields=["team", "-id"],
                name="case_team_queue",
                condition=models.Q(assignee__isnull=True, status__in=OPEN_STATUSES),
            ),
            models.Index(
                fields=["assignee", "-id"],
                name="case_assignee_open",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def is_visible_to(self, agent) -> bool:
        """The one-case twin of `Case.objects.visible_to(agent)`, for services' checks."""
        return self.status != CaseStatus.DRAFT and self.team_id in policy.visible_team_ids(agent)


def supporting_document_path(instance: SupportingDocument, filename: str) -> str:
    return f"cases/{instance.case_id}/{instance.sha256[:16]}-{filename}"


class SupportingDocument(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    field_name = models.CharField(_("field"), max_length=60, blank=True)
    file = models.FileField(upload_to=supporting_document_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    # What the upload check found that can run or hide content: "javascript", "html"…
    # (core/pdf_probe.py). Shown to agents next to the document.
    active_content = models.JSONField(_("active content"), default=list, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("supporting document")
        verbose_name_plural = _("supporting documents")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def active_content_labels(self) -> list[str]:
        return active_content_labels(self.active_content)


class Comment(models.Model):
    """An internal comment on a case, never shown to the usager."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


# Who sees what (levier.core.policy): a procedure by its team, a case by agent_case_scope
# (drafts excepted), a case's documents and comments with their case.
policy.register_rows(Procedure, policy.team_rows("team_id"))
policy.register_rows(
    Case,
    policy.RowRule(
        rows=lambda agent, via: agent_case_scope(agent, via=via.removesuffix("__")),
        holds=lambda agent, case: case.is_visible_to(agent),
    ),
)
policy.register_rows(SupportingDocument, policy.through("case", Case))
policy.register_rows(Comment, policy.through("case", Case))
