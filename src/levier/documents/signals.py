"""Status emails from templates: when a case reaches a status with an active email
template, the template's email is sent instead of the fixed one of `cases`.

`cases` asks `status_email_covered` (through `cases.hooks`) while it changes the status,
and leaves its fixed email out; once the change is committed, the automation
"status-emails" (`levier.automation`, a task keyed by the journal event) calls
`send_status_email`, which queues the template's email under the event's dedupe key. A template
for "submitted" is sent after the registration email of `cases`, which it cannot
replace: that one carries the verification code, known only at submission.

If the template cannot be filled (missing data, a broken attachment), the usager still
gets the fixed email, and the journal says why the template was not used.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError

from levier.cases.models import Case
from levier.journal.services import Actor, record

from .services.email_templates import email_for_status, email_send_for_case

logger = logging.getLogger(__name__)

ROBOT = Actor.robot("status-email")
CASE_TYPE = Case._meta.label_lower


def status_email_covered(case: Case, status: str) -> bool:
    """Whether an active email template is sent when `case` reaches `status`."""
    return email_for_status(case=case, status=status) is not None


def send_status_email(*, event, dedupe_key: str = "") -> None:
    """Queue the template's email after a committed status change (or submission).

    Idempotent with a `dedupe_key`: run again for the same event, it finds the email
    queued the first time (the template's, or the fixed one it fell back to)."""
    if event.target_type != CASE_TYPE or event.verb not in {"transition", "submit"}:
        return
    payload = event.payload or {}
    status = payload.get("to") if event.verb == "transition" else "submitted"
    case = (
        Case.objects.select_related(
            "procedure__organisation", "procedure_version", "contact", "team"
        )
        .filter(pk=event.target_id)
        .first()
    )
    if case is None or not status:
        return
    template = email_for_status(case=case, status=status)
    if template is None or not (case.contact.email or "").strip():
        return
    try:
        email_send_for_case(case=case, template=template, actor=ROBOT, dedupe_key=dedupe_key)
    except Exception as error:  # after commit: the status change stands, whatever happens here
        if not isinstance(error, ValidationError):
            logger.exception("status email of case %s could not be sent", case.pk)
        reason = " ".join(error.messages) if isinstance(error, ValidationError) else repr(error)
        record(
            actor=ROBOT,
            verb="status-email-fallback",
            target=case,
            payload={"template": template.pk, "status": status},
            detail=reason[:1000],
        )
        if event.verb == "transition":
            from levier.cases.services import _email_status_change

            _email_status_change(case, case.status_reason, dedupe_key=dedupe_key)
