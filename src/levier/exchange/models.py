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


class RejectedRequest(models.Model):
    """A refused API call, kept so that nothing a partner sent is lost silently."""

    client = models.ForeignKey(
        ApiClient,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rejected_requests",
        verbose_name=_("API client"),
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    method = models.CharField(_("method"), max_length=10)
    path = models.CharField(_("path"), max_length=300)
    status_code = models.PositiveSmallIntegerField(_("HTTP status"))
    reason = models.TextField(_("reason"))
    payload_excerpt = models.TextField(_("payload excerpt"), blank=True)

    class Meta:
        verbose_name = _("rejected API request")
        verbose_name_plural = _("rejected API requests")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.status_code} {self.method} {self.path}"
