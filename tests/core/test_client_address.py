"""The client's address: X-Forwarded-For is read only when a trusted proxy sent the request."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from levier.core.client_address import client_address


def request_from(remote_addr: str, forwarded_for: str | None = None):
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **meta)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.LEVIER_TRUSTED_PROXIES = []
    assert client_address(request_from("203.0.113.9", "198.51.100.7")) == "203.0.113.9"


def test_an_untrusted_client_cannot_forge_its_address(settings):
    settings.LEVIER_TRUSTED_PROXIES = ["10.0.0.2"]
    assert client_address(request_from("203.0.113.9", "198.51.100.7")) == "203.0.113.9"


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(settings):
    settings.LEVIER_TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The client prepended a forged address; the proxy appended the real one.
    request = request_from("10.0.0.2", "1.2.3.4, 198.51.100.7")
    assert client_address(request) == "198.51.100.7"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(settings):
    settings.LEVIER_TRUSTED_PROXIES = ["10.0.0.2", "192.168.1.0/24"]
    request = request_from("10.0.0.2", "garbage, 198.51.100.7, 192.168.1.5")
    assert client_address(request) == "198.51.100.7"


def test_ipv6_clients_and_proxies(settings):
    settings.LEVIER_TRUSTED_PROXIES = ["fd00::/8"]
    assert client_address(request_from("fd00::2", "2001:db8::7")) == "2001:db8::7"


def test_a_malformed_hop_stops_the_walk_at_the_last_trusted_proxy(settings):
    settings.LEVIER_TRUSTED_PROXIES = ["10.0.0.0/8"]
    # Not an address where the client should be: the proxy's own address is all we trust.
    assert client_address(request_from("10.0.0.2", "not-an-ip")) == "10.0.0.2"
    assert client_address(request_from("10.0.0.2", "")) == "10.0.0.2"


def test_a_request_from_the_proxy_itself_keeps_the_proxy_address(settings):
    settings.LEVIER_TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_address(request_from("10.0.0.2", "10.0.0.3")) == "10.0.0.3"


def test_a_wrong_setting_is_named(settings):
    settings.LEVIER_TRUSTED_PROXIES = ["10.0.0.300"]
    with pytest.raises(ImproperlyConfigured, match="LEVIER_TRUSTED_PROXIES"):
        client_address(request_from("10.0.0.2", "198.51.100.7"))
