"""Sollicitations: questions, requests and complaints from every channel."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from levier.contacts.models import Contact
from levier.core import policy
from levier.core.models import Organisation, Team
from levier.core.text import fold
from levier.core.uploads import active_content_labels


class Topic(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="topics")
    slug = models.SlugField(_("short name"), unique=True)
    label = models.CharField(_("label"), max_length=200)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="topics", verbose_name=_("default team")
    )
    sla_hours = models.PositiveIntegerField(_("answer deadline (business hours)"), default=24)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    EMAIL = "email", _("Email")
    API = "api", _("API")
    PHONE = "phone", _("Phone")
    COUNTER = "counter", _("Counter")
    ASSISTANT = "assistant", _("Assistant")


class EnquiryStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("enquiry status", "New")
    OPEN = "open", _("Open")
    WAITING_FOR_USAGER = "waiting_for_usager", _("Waiting for the usager")
    CLOSED = "closed", _("Closed")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class LabelSource(models.TextChoices):
    """Who set an enquiry's topic or priority: the classifier learns only from people."""

    NONE = "", _("Not set")
    USAGER = "usager", _("Usager")
    AGENT = "agent", _("Agent")
    ROBOT = "robot", _("Classifier")
    RULE = "rule", _("Routing rule")


def enquiry_search_text(reference: str, subject: str, contact: Contact) -> str:
    """What the search box matches for an enquiry: reference, subject, name and email, folded."""
    return fold(f"{reference} {subject} {contact.display_name} {contact.email}")


class EnquiryQuerySet(models.QuerySet):
    def refresh_search_text(self) -> int:
        """Recompute search_text (after a contact changed or was merged)."""
        changed = 0
        for enquiry in self.select_related("contact").only(
            "reference", "subject", "search_text", "contact"
        ):
            text = enquiry_search_text(enquiry.reference, enquiry.subject, enquiry.contact)
            if text != enquiry.search_text:
                type(enquiry).objects.filter(pk=enquiry.pk).update(search_text=text)
                changed += 1
        return changed

    def visible_to(self, agent) -> EnquiryQuerySet:
        return self.filter(policy.rows_for(agent, "enquiries.enquiry"))

    def open(self) -> EnquiryQuerySet:
        return self.exclude(status=EnquiryStatus.CLOSED)


class Enquiry(models.Model):
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    topic = models.ForeignKey(
        Topic, on_delete=models.PROTECT, null=True, blank=True, related_name="enquiries"
    )
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=EnquiryStatus.choices, default=EnquiryStatus.NEW
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="enquiries")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_enquiries",
    )
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="enquiries")
    created_at = models.DateTimeField(default=timezone.now)
    sla_due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    verification_digest = models.CharField(max_length=64, blank=True)
    search_text = models.TextField(blank=True)
    # What automation decided, so that the agent sees how sure it was and can correct it.
    topic_source = models.CharField(
        _("topic set by"), max_length=10, choices=LabelSource.choices, blank=True
    )
    topic_confidence = models.FloatField(_("topic confidence"), null=True, blank=True)
    suggested_topic = models.ForeignKey(
        Topic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suggested topic"),
    )
    priority_source = models.CharField(
        _("priority set by"), max_length=10, choices=LabelSource.choices, blank=True
    )
    priority_confidence = models.FloatField(_("priority confidence"), null=True, blank=True)
    routing_rule = models.ForeignKey(
        "RoutingRule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enquiries",
        verbose_name=_("routing rule"),
    )
    sla_warned_at = models.DateTimeField(_("deadline warning sent"), null=True, blank=True)

    objects = EnquiryQuerySet.as_manager()

    class Meta:
        verbose_name = _("enquiry")
        verbose_name_plural = _("enquiries")
        indexes = [
            models.Index(fields=["team", "-id"], name="enquiry_team_id"),
            models.Index(fields=["team", "status", "-id"], name="enquiry_team_status_id"),
            models.Index(fields=["assignee", "-id"], name="enquiry_assignee_id"),
            models.Index(fields=["sla_due_at"], name="enquiry_sla_due_at"),
            # The team queue and "my work" read these, newest first, LIMIT 26.
            models.Index(
                fields=["team", "-id"],
                name="enquiry_team_queue",
                condition=models.Q(assignee__isnull=True) & ~models.Q(status="closed"),
            ),
            models.Index(
                fields=["assignee", "-id"],
                name="enquiry_assignee_open",
                condition=~models.Q(status="closed"),
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Direction(models.TextChoices):
    IN = "in", pgettext_lazy("message direction", "Received")
    OUT = "out", _("Sent")


class Message(models.Model):
    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    author_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, blank=True)
    # RFC 5322 Message-ID of the email this message came in or went out as: replies thread on it.
    email_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    # Quoted earlier messages and the signature, kept but shown folded.
    quoted_text = models.TextField(_("quoted text"), blank=True)
    # Identifiers, amounts, dates… found in the body: [{kind, text, value, start, end, link}].
    entities = models.JSONField(_("entities"), default=list, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.body[:40]}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"enquiries/{instance.message.enquiry_id}/{instance.sha256[:16]}-{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64, db_index=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    # What the upload check found that can run or hide content: "javascript", "html"…
    # (core/pdf_probe.py). Shown to agents next to the document.
    active_content = models.JSONField(_("active content"), default=list, blank=True)

    def __str__(self) -> str:
        return self.original_name

    @property
    def active_content_labels(self) -> list[str]:
        return active_content_labels(self.active_content)


class ContactKindChoice(models.TextChoices):
    ANY = "", _("Any")
    PERSON = "person", _("Person")
    COMPANY = "company", _("Company")


class RoutingRule(models.Model):
    """If an incoming enquiry matches every condition set here, it goes to this team.

    Rules are tried by position; the first that matches wins. An empty condition
    matches anything.
    """

    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("topic")
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, blank=True)
    departements = models.CharField(
        _("départements"),
        max_length=300,
        blank=True,
        help_text=_("Codes separated by commas, e.g. 33, 2A, 971."),
    )
    communes = models.CharField(
        _("communes"),
        max_length=500,
        blank=True,
        help_text=_("INSEE codes separated by commas, e.g. 33063."),
    )
    contact_kind = models.CharField(
        _("contact type"), max_length=10, choices=ContactKindChoice.choices, blank=True
    )
    keywords = models.TextField(
        _("keywords"),
        blank=True,
        help_text=_("One word or expression per line; any of them in the subject or message."),
    )
    team = models.ForeignKey(Team, on_delete=models.PROTECT, verbose_name=_("team"))
    set_priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class SlaPolicy(models.Model):
    """Answer deadline in business hours for a team, optionally for one topic."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, related_name="sla_policies", verbose_name=_("team")
    )
    topic = models.ForeignKey(
        Topic, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("topic")
    )
    business_hours = models.PositiveIntegerField(_("deadline (business hours)"))
    warning_hours = models.PositiveIntegerField(
        _("warn this many business hours before"), default=4
    )

    class Meta:
        verbose_name = _("answer deadline")
        verbose_name_plural = _("answer deadlines")
        constraints = [
            models.UniqueConstraint(fields=["team", "topic"], name="sla_policy_team_topic"),
            models.UniqueConstraint(
                fields=["team"], condition=models.Q(topic__isnull=True), name="sla_policy_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} / {self.topic or '*'}: {self.business_hours} h"


class AnswerTemplate(models.Model):
    """A ready answer (macro) with merge fields, e.g. {{ usager.nom }}."""

    title = models.CharField(_("title"), max_length=200)
    topic = models.ForeignKey(
        Topic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answer_templates",
        verbose_name=_("topic"),
    )
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("answer template")
        verbose_name_plural = _("answer templates")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from .answers import validate_template  # answers renders; models only validates

        super().clean()
        try:
            validate_template(self.body)
        except ValidationError as error:
            raise ValidationError({"body": error.error_list}) from None


# Who sees what (levier.core.policy): topics and enquiries by their team, messages and
# attachments with their enquiry.
policy.register_rows(Topic, policy.team_rows("team_id"))
policy.register_rows(Enquiry, policy.team_rows("team_id"))
policy.register_rows(Message, policy.through("enquiry", Enquiry))
policy.register_rows(Attachment, policy.through("message", Message))
