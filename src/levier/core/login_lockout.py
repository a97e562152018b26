"""Login lockout (django-axes): slow an attacker down without locking an agent out.

Failures are counted per (user name, client address) pair: five wrong passwords from
one client lock that name from that client only, so nobody can lock a named agent (or the
administrator) out of their own address. An address failing on many names (password
spraying) is locked for every name. The client address comes from
`levier.core.client_address`, so behind the reverse proxy each client is told apart.

What this does not stop, and a deployment must add: guesses on one name spread over many
addresses (strong passwords or ProConnect, and watching the failures per name in the
admin); an attacker sharing an agent's address (an office NAT) can still lock that agent.
"""

from __future__ import annotations

import math

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def address_failures(request: HttpRequest) -> int:
    """Failed logins from this request's client address, on any user name, in the cool-off."""
    recent = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address,  # type: ignore[attr-defined]
        attempt_time__gte=get_cool_off_threshold(request),
    )
    return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0


class PairAndAddressLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, plus a lock on an address failing on many user names."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self._address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is not None and not getattr(request, "axes_locked_out", False):
            if self._address_locked(request):
                # The failure that reaches the limit already gets the lockout page.
                request.axes_locked_out = True
                request.axes_credentials = credentials

    @staticmethod
    def _address_locked(request: HttpRequest) -> bool:
        return address_failures(request) >= settings.LEVIER_LOGIN_ADDRESS_FAILURE_LIMIT


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """The French page shown while a lock lasts, with its length in minutes."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(
        request,
        "core/lockout.html",
        {"title": _("Too many failed login attempts"), "minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
