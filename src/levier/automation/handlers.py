"""What the event automations do: each loads from the event's ids and calls the owning
app's service. Each is idempotent, as `run_automation` may run it again after a crash."""

from __future__ import annotations

from levier.journal.models import Event


def dedupe_key(event: Event, purpose: str) -> str:
    """The outbox key of the email an automation sends about one event."""
    return f"event:{event.pk}:{purpose}"


def check_case_documents(*, event: Event) -> None:
    """Check the documents and rules of a submitted case (each check replaces the last)."""
    from levier.cases.models import Case
    from levier.controls.services import case_check_now

    case = (
        Case.objects.select_related("contact", "procedure_version")
        .filter(pk=int(event.target_id))
        .first()
    )
    if case is not None:  # deleted since: nothing to check
        case_check_now(case=case)


def send_status_email(*, event: Event) -> None:
    """The template's email of the case's new status, once per event (dedupe key)."""
    from levier.documents.signals import send_status_email as send

    send(event=event, dedupe_key=dedupe_key(event, "status-email"))
