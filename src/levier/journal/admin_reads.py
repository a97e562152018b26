"""Admin pages that show personal data journal who looked at them (RGPD traceability)."""

from __future__ import annotations

import time
from typing import Any

from django.contrib.admin.utils import unquote
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse

from .services import record_list_read, record_read, record_reveal


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
            subject = self.journaled_subject(obj)
            if isinstance(subject, models.Model) and subject is not obj:
                # A page about a case or a contact (a flag, an email): journaled on them,
                # so the data protection officer finds it, naming the object shown.
                what = f"admin {obj._meta.label_lower} {obj.pk}"
                record_read(agent=request.user, target=subject, what=what)
            else:
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
                where="admin",
            )
        return response


# How long a reveal in the admin keeps the identifiers shown (and editable) for the agent.
ADMIN_REVEAL_SECONDS = 600


def _reveal_key(obj: models.Model) -> str:
    return f"levier-revealed:{obj._meta.concrete_model._meta.label_lower}:{obj.pk}"


def revealed_in_session(request: HttpRequest, obj: models.Model | None) -> bool:
    """Whether this agent revealed the object's identifiers in the admin, minutes ago."""
    if obj is None or obj.pk is None:
        return True  # an add page shows what the agent types
    return time.time() < request.session.get(_reveal_key(obj), 0)


class RevealInAdmin:
    """Mixin for a ModelAdmin whose change page masks identifiers (NIR, IBAN).

    The page shows them masked and read-only, with a "Reveal" button: a POST to
    `<id>/reveler/` journals a `reveal` and opens them, in this agent's session only and
    for ADMIN_REVEAL_SECONDS, in full (and editable where the admin edits them). A GET
    never reveals: a link, a prefetch or a crawler cannot show the number unjournaled.
    """

    change_form_template = "journal/admin/reveal_change_form.html"

    def reveal_field_names(self, obj: models.Model) -> list[str]:
        # No default: a mixin that masked nothing by omission would fail open.
        raise NotImplementedError(f"{type(self).__name__} must name the fields it masks")

    def is_revealed(self, request: HttpRequest, obj: models.Model | None) -> bool:
        return revealed_in_session(request, obj)

    def get_urls(self):
        opts = self.model._meta  # type: ignore[attr-defined]
        reveal = path(
            "<path:object_id>/reveler/",
            self.admin_site.admin_view(self.reveal_view),  # type: ignore[attr-defined]
            name=f"{opts.app_label}_{opts.model_name}_reveal",
        )
        return [reveal, *super().get_urls()]  # type: ignore[misc]

    def reveal_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if obj is None or not self.has_view_permission(request, obj):  # type: ignore[attr-defined]
            raise Http404("No such object.")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        fields = self.reveal_field_names(obj)
        if fields:
            record_reveal(agent=request.user, target=obj, field=",".join(fields))
            request.session[_reveal_key(obj)] = time.time() + ADMIN_REVEAL_SECONDS
        opts = self.model._meta  # type: ignore[attr-defined]
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))

    def render_change_form(self, request: HttpRequest, context, add=False, change=False,
                           form_url="", obj=None):  # fmt: skip
        if change and obj is not None and not self.is_revealed(request, obj):
            if self.reveal_field_names(obj):
                opts = self.model._meta  # type: ignore[attr-defined]
                context["reveal_url"] = reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_reveal", args=[obj.pk]
                )
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[misc]
