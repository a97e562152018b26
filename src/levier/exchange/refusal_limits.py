"""How many refused calls the partners' API answers, per client address and per token,
before it answers 429 and keeps nothing more.

Counters live in the shared cache (settings.CACHES, a table every worker sees), in
windows of LEVIER_API_REFUSALS_WINDOW_SECONDS, through django-ratelimit. The check is
made before anything is written: a throttled call costs a cache read, no row and no
journal event. A call with a valid token is never throttled for its address' refusals
(partners may share an exit address with whoever floods it), only for its own token's.
"""

from __future__ import annotations

import hashlib
import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from .errors import ApiProblem

GROUP = "levier-api-refusals"
IPV6_NETWORK = 64  # one IPv6 subscriber holds a whole /64: count it as one address


def client_address(request: HttpRequest) -> str:
    """The caller's address as the web server saw it ("" if it is not an IP address)."""
    address = (request.META.get("REMOTE_ADDR") or "").strip()
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return ""
    return address


def _address_key(group: str, request: HttpRequest) -> str:
    address = client_address(request)
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/{IPV6_NETWORK}", strict=False).network_address)
    return address or "unknown"


def _token_key(group: str, request: HttpRequest) -> str:
    return "token:" + getattr(request, "api_token_digest", "")


def remember_presented_token(request: HttpRequest, token: str) -> None:
    """Keep a digest of the token the call presented (never the token) to count its refusals."""
    token = token.strip()
    request.api_token_digest = hashlib.sha256(token.encode()).hexdigest()[:32] if token else ""  # type: ignore[attr-defined]
    request.api_token_prefix = token[:8].replace("\x00", "")  # type: ignore[attr-defined]


def _rate() -> str:
    return f"{settings.LEVIER_API_MAX_REFUSALS}/{settings.LEVIER_API_REFUSALS_WINDOW_SECONDS}s"


def _usage(request: HttpRequest, key, *, count: bool) -> dict | None:
    return get_usage(request, group=GROUP, key=key, rate=_rate(), increment=count)


def _keys(request: HttpRequest, *, by_address: bool) -> list:
    keys = [_address_key] if by_address else []
    if getattr(request, "api_token_digest", ""):
        keys.append(_token_key)
    return keys


def refuse_if_over_limit(request: HttpRequest, *, by_address: bool) -> None:
    """429 when the address (for calls without a valid token) or the token has used up
    its refusals in the current window. Touches only the cache, no table of levier."""
    for key in _keys(request, by_address=by_address):
        usage = _usage(request, key, count=False)
        if usage and usage["count"] >= usage["limit"]:
            request.api_throttled = True  # type: ignore[attr-defined]  # keep_rejections keeps nothing
            retry_after = max(1, usage["time_left"])
            raise ApiProblem(
                429,
                _(
                    "Too many refused requests from this address or with this token: try again "
                    "in %(seconds)d seconds, once the requests refused so far are corrected."
                )
                % {"seconds": retry_after},
                headers={"Retry-After": str(retry_after)},
            )


def count_refusal(request: HttpRequest, *, by_address: bool) -> None:
    """One more refusal for the address (when no valid token was shown) and the token."""
    for key in _keys(request, by_address=by_address):
        _usage(request, key, count=True)
