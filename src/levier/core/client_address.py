"""The address of the client behind a request, for lockouts and rate limits.

`REMOTE_ADDR` is the peer that opened the connection. Behind a reverse proxy it is the
proxy, so the client's address is read from `X-Forwarded-For`, but only when the peer is
one of the proxies listed in `LEVIER_TRUSTED_PROXIES`: anyone else can write that header.
Each proxy appends the address it received the request from, so the header is walked
from the right, skipping trusted proxies; the first other address is the client. What is
left of it was written by the client and is never read.

Hand-written on the standard `ipaddress` module: django-ipware matches trusted proxies by
prefix inside the header and does not check the peer itself.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _trusted_networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"LEVIER_TRUSTED_PROXIES: {entry!r} is neither an IP address nor a CIDR "
                "range (e.g. 10.0.0.2 or 10.0.0.0/24)."
            ) from error
    return tuple(networks)


def _parse(value: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's IP address: REMOTE_ADDR, or what trusted proxies say they received."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    networks = _trusted_networks(tuple(settings.LEVIER_TRUSTED_PROXIES))
    peer = _parse(remote)
    if peer is None or not _is_trusted(peer, networks):
        return remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            break  # a trusted proxy would not write this: keep the last address it vouched for
        peer = address
        if not _is_trusted(address, networks):
            break
    return str(peer)
