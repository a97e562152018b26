"""Admin pages that show personal data journal who looked at them (RGPD traceability)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.http import HttpRequest

from .services import record_list_read, record_read


class JournaledReadsAdmin:
    """Mixin for a ModelAdmin: one read per change page, one list read per list page.

    The list read names the rows shown (`journaled_subject` picks what each row is about)
    and the length of the search, never its text.
    """

    def journaled_subject(self, obj: models.Model) -> models.Model | tuple[str, Any]:
        return obj

    def render_change_form(self, request: HttpRequest, context, add=False, change=False,
                           form_url="", obj=None):  # fmt: skip
        if change and obj is not None:
            record_read(agent=request.user, target=obj, what="admin")
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[misc]

    def changelist_view(self, request: HttpRequest, extra_context=None):
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            record_list_read(
                agent=request.user,
                listed=self.model._meta.concrete_model._meta.label_lower,  # type: ignore[attr-defined]
                shown=[self.journaled_subject(obj) for obj in changelist.result_list],
                query=changelist.query,
                filters=changelist.get_filters_params().keys(),
            )
        return response
