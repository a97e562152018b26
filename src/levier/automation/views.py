"""The administrators' page of automations (anyone else: 404, as if it did not exist)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import selectors


@require_GET
def automation_list(request: HttpRequest) -> HttpResponse:
    if not selectors.may_see_automations(request.user):
        raise Http404("No such page.")
    return render(
        request,
        "automation/list.html",
        {
            "title": _("Automations"),
            "nav": "automation",
            "automations": selectors.automations_overview(),
        },
    )
