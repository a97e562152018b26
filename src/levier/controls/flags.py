"""Flags: proposals to control a case, their outcome, and the friendly letter.

A flag never changes a case's status: it is shown to agents, who decide. Raising and
clearing are called by the checking services inside their own transaction; each flag
raised and each flag withdrawn is one journal event of its own (a withdrawn flag's row is
deleted, so the journal is where it stays known that the case was flagged); recording a control's result and sending a friendly letter are agents' gestes,
each journaled here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from levier.cases.models import Case
from levier.cases.services import check_may_see
from levier.core.french import format_date
from levier.core.geo import departement_of_commune, departement_of_postal_code
from levier.journal.services import Actor, record
from levier.mailing.services import email_queue

from .models import AdviceState, ControlResult, Flag

ROBOT = Actor.robot("controls")


def territory_of(case: Case) -> str:
    contact = case.contact
    return (
        departement_of_commune(contact.commune_code)
        or departement_of_postal_code(contact.postal_code)
        or ""
    )


def flag_raise(
    *, case: Case, source: str, code: str, reasons: list[str], score: float | None = None
) -> Flag:
    """Raise (or refresh the reasons of) the flag `code` on the case; a controlled flag stays."""
    flag, created = Flag.objects.get_or_create(
        case=case,
        code=code,
        defaults={
            "procedure_id": case.procedure_id,
            "source": source,
            "reasons": reasons,
            "score": score,
            "territory": territory_of(case),
        },
    )
    if created:
        record(
            actor=ROBOT,
            verb="raise-flag",
            target=case,
            automated=True,
            payload={"flag": flag.pk, "code": code, "source": source},
        )
    if not created and not flag.result and (flag.reasons != reasons or flag.score != score):
        flag.reasons, flag.score = reasons, score
        flag.save(update_fields=["reasons", "score"])
    return flag


def flag_clear(*, case: Case, code: str) -> int:
    """Withdraw the flag `code` unless an agent has already recorded a control on it."""
    withdrawn = list(
        Flag.objects.filter(case=case, code=code, result="", advice="").values_list("pk", "source")
    )
    for flag_id, source in withdrawn:
        record(
            actor=ROBOT,
            verb="withdraw-flag",
            target=case,
            automated=True,
            payload={"flag": flag_id, "code": code, "source": source},
        )
    Flag.objects.filter(pk__in=[flag_id for flag_id, _source in withdrawn]).delete()
    return len(withdrawn)


def flag_record_result(*, flag: Flag, result: str, note: str = "", actor: Any) -> Flag:
    """An agent concludes the control of a flagged (or randomly drawn) case."""
    check_may_see(actor, flag.case)
    if result not in ControlResult.values:
        raise ValidationError(
            {"result": _("Choose the result of the control among the proposed ones.")},
            code="invalid_result",
        )
    if result == ControlResult.CONFIRMED and not note.strip():
        raise ValidationError(
            {"note": _("Say what was confirmed: the usager may contest it.")},
            code="note_required",
        )
    with transaction.atomic():
        flag.result, flag.result_note = result, note.strip()
        flag.controlled_by, flag.controlled_at = actor, timezone.now()
        if flag.advice == AdviceState.SENT and result == ControlResult.GOOD_FAITH:
            flag.advice = AdviceState.CORRECTED
        flag.save(
            update_fields=["result", "result_note", "controlled_by", "controlled_at", "advice"]
        )
        record(
            actor=actor,
            verb="control",
            target=flag.case,
            activity="control-case",
            payload={"flag": flag.pk, "source": flag.source, "result": result},
        )
    return flag


def advice_text(flag: Flag, note: str = "") -> tuple[str, str]:
    """Subject and body of the friendly letter: the reasons, and how to correct."""
    case = flag.case
    context = {
        "case": case,
        "contact": case.contact,
        "reasons": [reason for reason in flag.reasons if reason],
        "note": note.strip(),
        "organisation": case.procedure.organisation.name,
    }
    subject = _("Your case %(reference)s: a declaration to check") % {"reference": case.reference}
    return subject, render_to_string("controls/emails/advice.txt", context)


def flag_send_advice(*, flag: Flag, actor: Any, note: str = "") -> Flag:
    """Advice rather than control: invite the usager to correct (the right to make a mistake)."""
    check_may_see(actor, flag.case)
    contact = flag.case.contact
    if not (contact.email or "").strip():
        raise ValidationError(
            _("The usager has no email address: add one to their record, or write by post."),
            code="no_email",
        )
    if flag.advice:
        raise ValidationError(
            _("A friendly letter was already sent on %(date)s.")
            % {"date": format_date(flag.advice_sent_at)},
            code="already_sent",
        )
    subject, body = advice_text(flag, note)
    with transaction.atomic():
        email = email_queue(
            to=contact.email, subject=subject, body=body, contact=contact, about=flag.case
        )
        flag.advice, flag.advice_sent_at = AdviceState.SENT, timezone.now()
        flag.save(update_fields=["advice", "advice_sent_at"])
        record(
            actor=actor,
            verb="send-advice",
            target=flag.case,
            activity="send-advice-letter",
            payload={"flag": flag.pk, "email": email.pk},
        )
    return flag


def flag_record_advice(*, flag: Flag, state: str, actor: Any) -> Flag:
    """Whether the usager corrected after the friendly letter."""
    check_may_see(actor, flag.case)
    if not flag.advice or state not in (AdviceState.CORRECTED, AdviceState.NO_ANSWER):
        raise ValidationError(
            _("Send the friendly letter first, then say whether the usager corrected."),
            code="no_advice",
        )
    with transaction.atomic():
        flag.advice = state
        fields = ["advice"]
        if state == AdviceState.CORRECTED and not flag.result:
            flag.result, flag.controlled_by, flag.controlled_at = (
                ControlResult.GOOD_FAITH,
                actor,
                timezone.now(),
            )
            fields += ["result", "controlled_by", "controlled_at"]
        flag.save(update_fields=fields)
        record(
            actor=actor,
            verb="advice-outcome",
            target=flag.case,
            payload={"flag": flag.pk, "advice": state},
        )
    return flag
