"""The public page of the algorithm register (no login: anyone may read it)."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .register import algorithm_register


@login_not_required
def algorithm_register_view(request: HttpRequest) -> HttpResponse:
    entries = algorithm_register()
    if request.GET.get("format") == "json":
        return JsonResponse({"algorithms": [asdict(entry) for entry in entries]})
    return render(
        request,
        "controls/register.html",
        {"title": _("Algorithms in use"), "nav": "algorithms", "entries": entries},
    )
