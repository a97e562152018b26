"""The administrators' page of automations (anyone else: 404, as if it did not exist;
the rule is levier.core.policy's Action.ADMINISTER_AUTOMATIONS)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from levier.core import policy

from . import selectors


@require_GET
def automation_list(request: HttpRequest) -> HttpResponse:
    policy.check_may(request.user, policy.Action.ADMINISTER_AUTOMATIONS)
    return render(
        request,
        "automation/list.html",
        {
            "title": _("Automations"),
            "nav": "automation",
            "automations": selectors.automations_overview(),
        },
    )
