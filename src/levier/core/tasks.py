from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django_tasks import task


@task(queue_name="email")
def send_email(*, to: list[str], subject: str, body: str, message_id: str = "") -> int:
    """Send one plain-text email over the configured SMTP server.

    Replies go to LEVIER_REPLY_TO_EMAIL (the mailbox levier reads) when it is set.
    """
    headers = {"Message-ID": message_id} if message_id else {}
    reply_to = [settings.LEVIER_REPLY_TO_EMAIL] if settings.LEVIER_REPLY_TO_EMAIL else None
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=reply_to,
        headers=headers,
    )
    return message.send(fail_silently=False)
