"""Administrators' edits in the Django admin are journaled as `configure` events.

Roles and teams, routing rules, deadlines, topics, templates, rules, anomaly models,
activities' standard times: each change decides how agents work or how usagers are
treated, so the journal says who changed what and when. The payload names the fields
changed, never their values (a value may be personal: an agent's name, an address).

`JournaledConfigurationAdmin` is mixed into every admin that can add, change or delete;
`tests/journal/test_admin_configure.py` fails on an admin that is neither read-only nor
journaled. Third-party admins (groups, login lock-outs, the DSFR settings) get it in
`journal_third_party_admins()`, run once the admin has discovered them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from .services import record

CONFIGURE = "configure"


def record_configure(
    *, request: HttpRequest, obj: models.Model, what: str, fields: list[str] | None = None
) -> None:
    record(
        actor=request.user,
        verb=CONFIGURE,
        target=obj,
        payload={"what": what, "fields": sorted(fields or []), "where": "admin"},
    )


class JournaledConfigurationAdmin:
    """Mixin for a ModelAdmin: one `configure` event per object added, changed or deleted
    (bulk deletions included), and one when its inlines change."""

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        fields = list(getattr(form, "changed_data", []) or [])
        if change and not fields:
            return
        record_configure(
            request=request, obj=obj, what="change" if change else "add", fields=fields
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        changed = sorted(
            {formset.model._meta.model_name for formset in formsets if formset.has_changed()}
        )
        if changed:
            record_configure(
                request=request, obj=form.instance, what="change-related", fields=changed
            )

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        # Journaled before the row goes: its id is still known, and one transaction holds both.
        record_configure(request=request, obj=obj, what="delete")
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for obj in queryset:
            record_configure(request=request, obj=obj, what="delete")
        super().delete_queryset(request, queryset)  # type: ignore[misc]


# Admins levier does not define; each is registered again with the mixin.
THIRD_PARTY_ADMINS = (
    "auth.Group",
    "dsfr.DsfrConfig",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
)


def journal_third_party_admins(site: admin.AdminSite = admin.site) -> None:
    for model, model_admin in list(site._registry.items()):
        if model._meta.label not in THIRD_PARTY_ADMINS:
            continue
        if isinstance(model_admin, JournaledConfigurationAdmin):
            continue
        journaled = type(
            f"Journaled{type(model_admin).__name__}",
            (JournaledConfigurationAdmin, type(model_admin)),
            {},
        )
        site.unregister(model)
        site.register(model, journaled)
