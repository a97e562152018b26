"""levier's own API for partners: who may call it, what they sent, what was refused."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The scopes a partner's token may carry; each endpoint asks for one.
SCOPES = {
    "enquiries:write": _("Create enquiries"),
    "enquiries:read": _("Follow the enquiries it created"),
    "topics:read": _("List the topics"),
}
TOKEN_PREFIX_LENGTH = 8


class ApiClientQuerySet(models.QuerySet):
    def active(self) -> ApiClientQuerySet:
        return self.filter(is_active=True)

    def mark_used(self, *, now=None) -> int:
        """Bookkeeping only (when a token was last seen), so not a journaled service."""
        return self.update(last_used_at=now or timezone.now())


class ApiClient(models.Model):
    """A partner's front office calling the API with one bearer token.

    Only the token's first characters (to recognise it) and the SHA-256 of the whole
    token are stored: the token itself is shown once, at creation.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(
        _("partner"), blank=True, help_text=_("Who the partner is and what they use the API for.")
    )
    token_prefix = models.CharField(
        _("token prefix"), max_length=TOKEN_PREFIX_LENGTH, db_index=True
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        return scope in (self.scopes or [])


class ApiSubmission(models.Model):
    """One enquiry message a client sent; `external_id` makes a retry harmless."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="submissions")
    external_id = models.CharField(
        _("partner's id"),
        max_length=100,
        blank=True,
        help_text=_("The partner's own identifier; a retry with the same one creates nothing."),
    )
    enquiry_reference = models.CharField(_("enquiry"), max_length=30, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=10)
    created_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("API submission")
        verbose_name_plural = _("API submissions")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "external_id"],
                condition=~models.Q(external_id=""),
                name="api_submission_client_external_id",
            )
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.external_id or '-'} → {self.enquiry_reference}"


class RejectedRequestQuerySet(models.QuerySet):
    def same_refusal_since(self, since, **refusal) -> RejectedRequestQuerySet:
        """The row counting this very refusal (same client, address, call and reason) if
        one was seen after `since`."""
        return self.filter(last_received_at__gte=since, **refusal).order_by("-last_received_at")


class RejectedRequest(models.Model):
    """Refused API calls, kept so that nothing a partner sent is lost silently.

    The same refusal repeated (same client, address, call and reason) within the
    refusals' window is one row with a count, first and last seen: a flood adds to a
    count, not rows. Rows are deleted LEVIER_RETENTION_REFUSED_API_DAYS after they were
    last seen (see services.api_rejections_purge).
    """

    client = models.ForeignKey(
        ApiClient,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rejected_requests",
        verbose_name=_("API client"),
    )
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    token_prefix = models.CharField(
        _("token prefix"), max_length=TOKEN_PREFIX_LENGTH, blank=True,
        help_text=_("The first characters of the token the call presented, if any."),
    )  # fmt: skip
    received_at = models.DateTimeField(_("first received"), default=timezone.now, db_index=True)
    last_received_at = models.DateTimeField(_("last received"), default=timezone.now, db_index=True)
    count = models.PositiveIntegerField(_("times"), default=1)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=300)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"))
    reason = models.TextField(_("reason"))
    payload_excerpt = models.TextField(_("payload excerpt"), blank=True)

    objects = RejectedRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("rejected API request")
        verbose_name_plural = _("rejected API requests")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.status_code} {self.method} {self.path}"
