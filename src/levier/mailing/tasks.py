from __future__ import annotations

from django_tasks import task

from .imap import fetch_all


@task()
def fetch_mailboxes() -> list[dict]:
    """Take in the new messages of every active mailbox (retry-safe: nothing is taken twice)."""
    return [report.as_dict() for report in fetch_all()]


@task(queue_name="email")
def send_outbound_email(email_id: int) -> str:
    """Send one email of the outbox over SMTP (see `services.outbound.email_send`).

    Retry-safe: the email is claimed by a conditional UPDATE (queued → sending) before
    SMTP is spoken, so running this task twice, or on two workers at once, sends it once;
    a sent email is skipped. On a server or connection error the email goes back to the
    queue with a backoff (1 min, 5 min, 30 min, 2 h, 6 h…) and this task is enqueued again
    for then; after LEVIER_EMAIL_MAX_ATTEMPTS it is marked failed, on the contact too.

    At-least-once boundary: the server's acceptance is committed the moment it is given,
    so a crash after it is finished as "sent" by `levier watch`, not resent. Only a crash
    between the server's reply and that one-row commit (or a reply lost on the network)
    sends it once more, with the same Message-ID. Nothing else can send an email twice.
    """
    from .services.outbound import email_send

    return email_send(email_id=email_id)
