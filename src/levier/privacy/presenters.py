"""Journal events told in words a data protection officer (and a usager) understands."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from levier.journal.models import ActorKind, Event
from levier.journal.verbs import verb_label

# What a list read's target names, by the list's model.
LIST_LABELS = {
    "cases.case": gettext_lazy("List of cases"),
    "enquiries.enquiry": gettext_lazy("List of enquiries"),
    "controls.flag": gettext_lazy("List of controls"),
    "contacts.contact": gettext_lazy("List of usagers"),
    "core.home": gettext_lazy("“My work” page"),
}
OBJECT_LABELS = {
    "cases.case": gettext_lazy("Case"),
    "enquiries.enquiry": gettext_lazy("Enquiry"),
    "contacts.contact": gettext_lazy("Usager's record"),
    "contacts.person": gettext_lazy("Usager's record"),
    "contacts.company": gettext_lazy("Usager's record"),
}
FIELD_LABELS = {"nir": gettext_lazy("social security number (NIR)"), "iban": gettext_lazy("IBAN")}

# The `what` of read and export payloads, from the most specific pattern.
_DETAILS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"^case$"), lambda m: _("case page")),
    (re.compile(r"^enquiry$"), lambda m: _("enquiry page")),
    (re.compile(r"^admin$"), lambda m: _("administration page")),
    (re.compile(r"^admin ([a-z_]+\.[a-z_]+) (\d+)$"), lambda m: _admin_object_page(m[1], m[2])),
    (re.compile(r"^follow$"), lambda m: _("follow-up page of the portal")),
    (re.compile(r"^generated document (\d+)$"), lambda m: _("generated document no. %s") % m[1]),
    (re.compile(r"^document (\d+)$"), lambda m: _("supporting document no. %s") % m[1]),
    (re.compile(r"^attachment:(\d+)$"), lambda m: _("attachment no. %s") % m[1]),
    (re.compile(r"^mail merge ZIP (\d+)$"), lambda m: _("mail merge no. %s (ZIP file)") % m[1]),
    (re.compile(r"^template preview (\d+)$"), lambda m: _("preview of a document template")),
    (re.compile(r"^email preview (\d+)$"), lambda m: _("preview of an email")),
    (re.compile(r"^dpo audit csv$"), lambda m: _("reads of the usager's data (CSV)")),
    (re.compile(r"^dpo audit$"), lambda m: _("data protection officer's page")),
]


def _admin_object_page(label: str, pk: str) -> str:
    try:
        name = apps.get_model(label)._meta.verbose_name
    except LookupError:
        name = label
    return _("administration page of %(object)s no. %(pk)s") % {"object": name, "pk": pk}


@dataclass(frozen=True)
class AuditRow:
    occurred_at: datetime
    actor: str
    action: str
    about: str
    detail: str


def actor_of(event: Event) -> str:
    if event.actor_kind == ActorKind.USAGER:
        return _("The usager")
    if event.actor_kind == ActorKind.AGENT:
        return event.actor_label or _("agent no. %s") % event.actor_id
    return event.actor_label or str(ActorKind(event.actor_kind).label)


def detail_of(event: Event) -> str:
    payload = event.payload or {}
    if "field" in payload:
        return ", ".join(
            str(FIELD_LABELS.get(name, name)) for name in str(payload["field"]).split(",")
        )
    what = str(payload.get("what", ""))
    for pattern, describe in _DETAILS:
        match = pattern.match(what)
        if match:
            return describe(match)
    if "query_length" in payload:
        where = _(" in the administration") if payload.get("where") == "admin" else ""
        if payload["query_length"]:
            return _("search of %(n)s characters%(where)s") % {
                "n": payload["query_length"], "where": where
            }  # fmt: skip
        return _("browsing%(where)s") % {"where": where}
    return what


def audit_rows(
    events: list[Event],
    names: dict[tuple[str, str], str],
    listed: dict[int, list[tuple[str, str]]],
) -> list[AuditRow]:
    rows = []
    for event in events:
        target = (event.target_type, event.target_id)
        if event.pk in listed:
            shown = ", ".join(names.get(key, key[1]) for key in listed[event.pk])
            about = _("%(list)s: %(items)s") % {
                "list": LIST_LABELS.get(event.target_type, event.target_type), "items": shown
            }  # fmt: skip
        else:
            kind = OBJECT_LABELS.get(event.target_type, event.target_type)
            about = f"{kind} {names.get(target, event.target_id)}"
        rows.append(
            AuditRow(
                occurred_at=event.occurred_at,
                actor=actor_of(event),
                action=verb_label(event.verb),
                about=about,
                detail=detail_of(event),
            )
        )
    return rows
