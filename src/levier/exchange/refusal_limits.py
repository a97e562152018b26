"""How many refused calls the partners' API answers, per client address and per token,
before it answers 429 and keeps nothing more.

Counters live in the shared cache (settings.CACHES, a table every worker sees), one per
address or token and window of LEVIER_API_REFUSALS_WINDOW_SECONDS. The check is one
cache read made before anything is written: a throttled call costs that read (and the
token's lookup), no row and no journal event. A call with a valid token is never
throttled for its address' refusals (partners may share an exit address with whoever
floods it), only for its own token's.

The cache's increment is a read then a write: refusals arriving at the same instant on
several workers may count once, so the limit holds within a small margin, not exactly.
"""

from __future__ import annotations

import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from levier.core.client_address import client_address as request_client_address

from .errors import ApiProblem

IPV6_NETWORK = 64  # one IPv6 subscriber holds a whole /64: count it as one address


def client_address(request: HttpRequest) -> str:
    """The caller's address, through the trusted proxies ("" if it is not an IP address)."""
    address = request_client_address(request).strip()
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return ""
    return address


def _address(request: HttpRequest) -> str:
    address = client_address(request)
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/{IPV6_NETWORK}", strict=False).network_address)
    return address or "unknown"


def remember_presented_token(request: HttpRequest, token: str) -> None:
    """Keep a digest of the token the call presented (never the token) to count its refusals."""
    token = token.strip()
    request.api_token_digest = hashlib.sha256(token.encode()).hexdigest()[:32] if token else ""  # type: ignore[attr-defined]
    request.api_token_prefix = token[:8].replace("\x00", "")  # type: ignore[attr-defined]


def _counters(request: HttpRequest, *, by_address: bool) -> tuple[list[str], int, int]:
    """The cache keys of this call's counters in the current window, the window's length
    and the seconds left in it."""
    period = settings.LEVIER_API_REFUSALS_WINDOW_SECONDS
    now = int(time.time())
    start = now - now % period
    names = [f"address:{_address(request)}"] if by_address else []
    if getattr(request, "api_token_digest", ""):
        names.append(f"token:{request.api_token_digest}")  # type: ignore[attr-defined]
    return [f"levier:api-refusals:{name}:{start}" for name in names], period, start + period - now


def refuse_if_over_limit(request: HttpRequest, *, by_address: bool) -> None:
    """429 when the address (for calls without a valid token) or the token has used up
    its refusals in the current window. One read of the cache, no write."""
    keys, _period, left = _counters(request, by_address=by_address)
    counts = cache.get_many(keys) if keys else {}
    if any(count >= settings.LEVIER_API_MAX_REFUSALS for count in counts.values()):
        request.api_throttled = True  # type: ignore[attr-defined]  # keep_rejections keeps nothing
        retry_after = max(1, left)
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
    keys, period, _left = _counters(request, by_address=by_address)
    for key in keys:
        if cache.add(key, 1, timeout=period + 5):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired since add() saw it
            cache.add(key, 1, timeout=period + 5)
