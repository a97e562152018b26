"""`levier watch` and the warning task: one round per interval, mail then deadlines."""

from __future__ import annotations

import datetime
import importlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from levier.automation.management.commands import watch
from levier.core.models import Notification
from levier.enquiries import services
from levier.enquiries.tasks import warn_due_enquiries
from levier.mailing import schedule as mailing_schedule
from levier.mailing.models import Mailbox

from ..factories import EnquiryFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(agent, team):
    return EnquiryFactory(
        topic=TopicFactory(team=team), sla_due_at=timezone.now() - datetime.timedelta(hours=1)
    )


def run(*args: str) -> str:
    out = StringIO()
    call_command("watch", *args, stdout=out)
    return out.getvalue()


def test_once_warns_due_enquiries_and_skips_mail_without_mailbox(overdue, agent):
    output = run("--once")
    assert output.count("\n") == 1  # one summary line for the round
    assert "mail skipped (no mailbox)" in output
    assert "deadlines: 1 enquiry warning(s) sent" in output
    assert Notification.objects.get().agent == agent
    assert "deadlines: 0 enquiry warning(s) sent" in run("--once")


def test_mail_is_skipped_when_the_imap_module_is_missing(monkeypatch):
    real = importlib.import_module

    def without_imap(name, *args):
        if name == "levier.mailing.imap":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real(name, *args)

    monkeypatch.setattr(mailing_schedule.importlib, "import_module", without_imap)
    assert "mail skipped (no IMAP module)" in run("--once")


def test_configured_mailboxes_are_fetched(monkeypatch):
    imap = pytest.importorskip("levier.mailing.imap")
    Mailbox.objects.create(name="accueil", host="imap.test", username="accueil")
    reports = [imap.FetchReport(mailbox="accueil", processed=2, ignored=1),
               imap.FetchReport(mailbox="autre", error="Serveur injoignable")]  # fmt: skip
    monkeypatch.setattr(imap, "fetch_all", lambda: reports)
    assert "mail: 3 new from 2 mailbox(es), 1 in error" in run("--once")


def test_a_failing_step_is_reported_and_once_exits_with_an_error(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(services, "enquiries_warn_due", broken)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("watch", "--once", stdout=out)
    assert "deadlines: failed" in out.getvalue()


def test_rounds_repeat_until_ctrl_c(monkeypatch):
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(watch.time, "sleep", sleep)
    output = run("--every", "30")
    assert output.count("deadlines: 0") == 2
    assert output.endswith("Stopped.\n")
    assert 0 < sleeps[0] <= 30


def test_the_task_warns_due_enquiries(overdue):
    result = warn_due_enquiries.enqueue()
    assert result.return_value == 1
    overdue.refresh_from_db()
    assert overdue.sla_warned_at is not None


def test_each_round_clears_expired_sessions():
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    live = SessionStore()
    live["portal_follow"] = {"kind": "case"}
    live.create()
    expired = SessionStore()
    expired.set_expiry(-60)  # ended a minute ago
    expired.create()
    assert Session.objects.count() == 2
    output = run("--once")
    assert "sessions: 1 expired session(s) cleared" in output
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_each_round_deletes_expired_counters_of_the_shared_cache():
    from django.core.cache import cache
    from django.db import connection

    def rows() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT cache_key FROM levier_cache")
            return {key for (key,) in cursor.fetchall()}

    cache.set("expired-counter", 1, timeout=-10)  # kept as a row the cache no longer returns
    cache.set("live-counter", 1, timeout=600)
    assert {":1:expired-counter", ":1:live-counter"} <= rows()
    assert "1 expired counter(s)" in run("--once")
    assert ":1:expired-counter" not in rows() and ":1:live-counter" in rows()
