"""Refused calls cannot fill the database: limited per address and per token before any
write, counted in one row instead of one each, never journaled when anonymous, and
purged after the retention duration."""

from __future__ import annotations

import secrets
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from levier.exchange.models import ApiClient, RejectedRequest
from levier.exchange.services import api_rejections_purge
from levier.journal.models import Event

from .payloads import URL, person

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.7"
PARTNER = "198.51.100.20"


def flood(client, count: int, address: str = ATTACKER) -> list:
    """`count` anonymous calls as a fuzzer sends them: no header, junk and random tokens."""
    headers = [
        {},
        {"HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz"},
        {"HTTP_AUTHORIZATION": "Bearer not-a-levier-token"},
    ]
    responses = []
    for number in range(count):
        kind = headers[number % 3] if number % 4 else {
            "HTTP_AUTHORIZATION": f"Bearer lev_{secrets.token_urlsafe(32)}"
        }  # fmt: skip
        responses.append(client.post(URL, person(), REMOTE_ADDR=address, **kind))
    return responses


def test_an_anonymous_flood_is_answered_429_and_leaves_bounded_rows_and_no_event(
    client, token, settings
):
    settings.LEVIER_API_MAX_REFUSALS = 20
    events_before = Event.objects.count()

    responses = flood(client, 300)

    statuses = [response.status_code for response in responses]
    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}
    late = responses[-1]
    assert 1 <= int(late["Retry-After"]) <= settings.LEVIER_API_REFUSALS_WINDOW_SECONDS
    problem = late.json()["detail"][0]
    assert problem["field"] is None and "réessayez dans" in problem["message"]
    # 20 refusals kept as a handful of counted rows (one per reason), the 280 others not at all.
    assert RejectedRequest.objects.count() <= 4
    assert sum(RejectedRequest.objects.values_list("count", flat=True)) == 20
    assert set(RejectedRequest.objects.values_list("client_address", flat=True)) == {ATTACKER}
    assert Event.objects.count() == events_before  # anonymous noise never reaches the journal

    # The partner, from its own address, is not hindered.
    ok = client.get("/api/v1/topics", HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=PARTNER)
    assert ok.status_code == 200
    # Nor from the flooded address (a shared exit of an administrations' network).
    ok = client.get("/api/v1/topics", HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=ATTACKER)
    assert ok.status_code == 200


def test_a_throttled_call_writes_nothing(client, settings):
    settings.LEVIER_API_MAX_REFUSALS = 2
    flood(client, 2)
    with CaptureQueriesContext(connection) as queries:
        assert flood(client, 3)[-1].status_code == 429
    statements = [query["sql"].split()[0].upper() for query in queries.captured_queries]
    assert not {"INSERT", "UPDATE", "DELETE"} & set(statements), statements


def test_one_ipv6_subscriber_network_is_one_address(client, settings):
    settings.LEVIER_API_MAX_REFUSALS = 3
    statuses = [
        client.get("/api/v1/topics", REMOTE_ADDR=f"2001:db8:1:2::{n:x}").status_code
        for n in range(1, 6)
    ]
    assert statuses == [401, 401, 401, 429, 429]
    assert client.get("/api/v1/topics", REMOTE_ADDR="2001:db8:1:3::1").status_code == 401


def test_a_refused_token_is_limited_whatever_the_address(client, settings):
    settings.LEVIER_API_MAX_REFUSALS = 5
    stolen = f"Bearer lev_{secrets.token_urlsafe(32)}"
    statuses = [
        client.get(
            "/api/v1/topics", HTTP_AUTHORIZATION=stolen, REMOTE_ADDR=f"192.0.2.{n}"
        ).status_code
        for n in range(1, 12)
    ]
    assert statuses == [401] * 5 + [429] * 6
    assert sum(RejectedRequest.objects.values_list("count", flat=True)) == 5


def test_repeated_refusals_of_a_partner_are_one_counted_row_and_one_event(api):
    for _ in range(6):
        assert api.post(URL, person(topic="impots-locaux")).status_code == 422
    rejected = RejectedRequest.objects.get()
    assert rejected.count == 6 and rejected.client == ApiClient.objects.get()
    assert rejected.last_received_at >= rejected.received_at
    assert "impots-locaux" in rejected.payload_excerpt
    assert Event.objects.filter(verb="reject").count() == 1

    api.post(URL, person(topic="etat-civil-inconnu"))  # another reason: its own row
    assert RejectedRequest.objects.count() == 2
    assert Event.objects.filter(verb="reject").count() == 2


def test_a_partner_refused_too_often_is_answered_429_until_the_window_ends(api, settings):
    settings.LEVIER_API_MAX_REFUSALS = 3
    statuses = [api.post(URL, person(topic=f"theme-{n}")).status_code for n in range(5)]
    assert statuses == [422, 422, 422, 429, 429]
    assert RejectedRequest.objects.count() == 3
    response = api.get("/api/v1/topics")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1


def test_refused_payloads_are_clipped(client):
    client.post(URL, person(message="x" * 60_000), REMOTE_ADDR=ATTACKER)
    assert len(RejectedRequest.objects.get().payload_excerpt) <= 4000


def test_refused_requests_are_purged_after_the_retention_duration(settings):
    settings.LEVIER_RETENTION_REFUSED_API_DAYS = 30
    now = timezone.now()

    def refused(days_ago: float) -> RejectedRequest:
        seen = now - timedelta(days=days_ago)
        return RejectedRequest.objects.create(
            method="POST", path=URL, status_code=401, reason="-", received_at=seen,
            last_received_at=seen,
        )  # fmt: skip

    old, recent = refused(40), refused(2)
    first_seen_long_ago = refused(45)
    first_seen_long_ago.last_received_at = now - timedelta(days=1)  # still being refused
    first_seen_long_ago.save()

    assert api_rejections_purge(now=now) == 1
    assert set(RejectedRequest.objects.all()) == {recent, first_seen_long_ago}
    assert not RejectedRequest.objects.filter(pk=old.pk).exists()
    assert api_rejections_purge(now=now) == 0  # nothing left to purge, nothing journaled
    assert Event.objects.filter(verb="purge").count() == 1


def test_levier_watch_purges_refused_requests_each_round(settings):
    settings.LEVIER_RETENTION_REFUSED_API_DAYS = 30
    long_ago = timezone.now() - timedelta(days=31)
    RejectedRequest.objects.create(
        method="GET", path="/api/v1/topics", status_code=401, reason="-",
        received_at=long_ago, last_received_at=long_ago,
    )  # fmt: skip
    out = StringIO()
    call_command("watch", "--once", stdout=out)
    assert "exchange.rejectedrequest 1" in out.getvalue()  # the journal's purge step
    assert not RejectedRequest.objects.exists()


def test_behind_the_trusted_proxy_each_client_is_counted_on_its_own_address(client, settings):
    settings.LEVIER_API_MAX_REFUSALS = 3
    settings.LEVIER_TRUSTED_PROXIES = ["10.0.0.2"]
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    attacker = [
        client.post(URL, person(), HTTP_X_FORWARDED_FOR=ATTACKER, **proxy) for _ in range(5)
    ]
    neighbour = client.post(URL, person(), HTTP_X_FORWARDED_FOR=PARTNER, **proxy)

    assert attacker[-1].status_code == 429
    assert neighbour.status_code == 401  # refused for its missing token, not throttled
    assert set(RejectedRequest.objects.values_list("client_address", flat=True)) == {
        ATTACKER,
        PARTNER,
    }
