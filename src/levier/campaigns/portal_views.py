"""The usager's unsubscribe page, reached from the link of a non-mandatory campaign."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services


@login_not_required
@csrf_exempt  # the signed token is the proof; mail clients POST here (RFC 8058 one-click)
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    context = {"title": _("Unsubscribe"), "nav": "", "token": token}
    if request.method == "POST":
        try:
            services.unsubscribe(token=token)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            return render(request, "campaigns/unsubscribe.html", context, status=400)
        context["done"] = True
        return render(request, "campaigns/unsubscribe.html", context)
    try:
        services.contact_id_from_token(token)
    except ValidationError as error:
        context["error"] = " ".join(error.messages)
        return render(request, "campaigns/unsubscribe.html", context, status=400)
    return render(request, "campaigns/unsubscribe.html", context)
