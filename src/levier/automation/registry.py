"""Every automation of levier in one place: what it does, the gestes (activity codes of
the journal's catalogue) it performs, the day it was switched on, whether it is on, and
where its runs are found. Insights and transformation count automated work from here.

An automation that reacts to journal events names the events (`target_type`, `verbs`)
and its `handler` (a dotted path to a function taking `event=`, run by the task
`run_automation`, keyed by the event's id). The handler must be idempotent: it may run
again after a crash (see `services.automation_run`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from levier.journal.models import Event

# The day each automation was switched on in the demo administration, one at a time over
# two years as its agents adopted it: mail intake first, then the document checks, the
# classifier, status emails, merges, the atypical-declaration scoring, campaigns, and the
# deadline warnings last. Before that day its gestes were done by hand: insights count
# time saved from it, and the demo's history (`levier seed`) honours it. A deployment
# writes its own days here.
SWITCHED_ON = {
    "intake-robots": datetime.date(2025, 2, 3),
    "document-checks": datetime.date(2025, 4, 7),
    "classifier": datetime.date(2025, 6, 16),
    "status-emails": datetime.date(2025, 10, 6),
    "merges": datetime.date(2026, 1, 12),
    "controls-scoring": datetime.date(2026, 3, 2),
    "campaigns": datetime.date(2026, 5, 4),
    "scheduled-jobs": datetime.date(2026, 9, 1),
}


def always() -> bool:
    return True


@dataclass(frozen=True)
class Automation:
    code: str
    name: str | Promise
    description: str | Promise
    gestes: tuple[str, ...]
    switched_on: datetime.date
    enabled: Callable[[], bool] = always
    # Reacting to journal events: which ones, and the function that acts on one.
    target_type: str = ""
    verbs: frozenset[str] = frozenset()
    handler: str = ""
    # Run the handler and mark the run done in one transaction (short handlers whose
    # whole effect is in the database); long ones (OCR) are idempotent on their own.
    atomic: bool = True
    # Where else its runs are found: background tasks, steps of `levier watch`, and the
    # journal actors (robots) whose events are its gestes.
    task_paths: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    robots: tuple[str, ...] = field(default=())

    @property
    def reacts_to_events(self) -> bool:
        return bool(self.handler)

    def reacts_to(self, event: Event) -> bool:
        return (
            self.reacts_to_events
            and event.target_type == self.target_type
            and event.verb in self.verbs
        )


def controls_on_submission() -> bool:
    return bool(getattr(settings, "LEVIER_CONTROLS_ON_SUBMISSION", True))


AUTOMATIONS: tuple[Automation, ...] = (
    Automation(
        code="intake-robots",
        name=_("Mail intake"),
        description=_(
            "Fetches the mailboxes and turns each email into an enquiry, attached to its "
            "thread or to a new one."
        ),
        gestes=("receive-email", "register-enquiry"),
        switched_on=SWITCHED_ON["intake-robots"],
        steps=("mail",),
        task_paths=("levier.mailing.tasks.fetch_mailboxes",),
        robots=("mail",),
    ),
    Automation(
        code="classifier",
        name=_("Classification and routing of enquiries"),
        description=_(
            "Suggests a topic for each new enquiry, routes it to the team in charge and "
            "reads the identifiers it contains."
        ),
        gestes=("classify-enquiry", "route-enquiry", "extract-entities", "suggest-answer"),
        switched_on=SWITCHED_ON["classifier"],
        robots=("intake", "answers"),
    ),
    Automation(
        code="document-checks",
        name=_("Checks of supporting documents"),
        description=_(
            "When a case is submitted or receives a document, reads its documents and "
            "compares them with the declared data, then applies the control rules."
        ),
        gestes=("check-supporting-document", "apply-control-rules"),
        switched_on=SWITCHED_ON["document-checks"],
        enabled=controls_on_submission,
        target_type="cases.case",
        verbs=frozenset({"submit", "add-document"}),
        handler="levier.automation.handlers.check_case_documents",
        atomic=False,
        robots=("contrôle des pièces", "règles de contrôle"),
    ),
    Automation(
        code="status-emails",
        name=_("Status emails from templates"),
        description=_(
            "When a case changes status, sends the usager the email of the matching "
            "template, with its generated document attached."
        ),
        gestes=("send-email", "generate-document"),
        switched_on=SWITCHED_ON["status-emails"],
        target_type="cases.case",
        verbs=frozenset({"submit", "transition"}),
        handler="levier.automation.handlers.send_status_email",
        robots=("status-email",),
    ),
    Automation(
        code="merges",
        name=_("Mail merges"),
        description=_("Generates one document per case of a batch, from a template."),
        gestes=("generate-document",),
        switched_on=SWITCHED_ON["merges"],
        task_paths=("levier.documents.tasks.run_merge",),
        robots=("mail-merge",),
    ),
    Automation(
        code="campaigns",
        name=_("Campaigns"),
        description=_("Sends a templated email to the usagers of the targeted cases, throttled."),
        gestes=("send-email",),
        switched_on=SWITCHED_ON["campaigns"],
        task_paths=("levier.campaigns.tasks.run_campaign",),
        robots=("campaigns",),
    ),
    Automation(
        code="controls-scoring",
        name=_("Detection of atypical declarations"),
        description=_(
            "Scores the cases of each procedure with an anomaly model every day and draws "
            "a random control sample."
        ),
        gestes=("select-cases-for-control",),
        switched_on=SWITCHED_ON["controls-scoring"],
        steps=("controls",),
        task_paths=("levier.controls.tasks.score_procedure",),
        robots=("repérage des déclarations atypiques",),
    ),
    Automation(
        code="scheduled-jobs",
        name=_("Scheduled jobs"),
        description=_(
            "Sends the emails due for a retry, warns agents of close deadlines, clears "
            "expired sessions and applies the retention periods."
        ),
        gestes=("warn-deadline", "send-email"),
        switched_on=SWITCHED_ON["scheduled-jobs"],
        steps=("outbox", "tasks", "deadlines", "sessions", "purge", "automation-sweep"),
        task_paths=(
            "levier.mailing.tasks.send_outbound_email",
            "levier.enquiries.tasks.warn_due_enquiries",
        ),
        robots=("deadlines", "retention"),
    ),
)

_BY_CODE = {automation.code: automation for automation in AUTOMATIONS}


def get(code: str) -> Automation:
    return _BY_CODE[code]


def event_automations() -> list[Automation]:
    """The automations that react to journal events."""
    return [automation for automation in AUTOMATIONS if automation.reacts_to_events]


def reacting_to(event: Event) -> list[Automation]:
    """The switched-on automations that react to this event."""
    return [a for a in event_automations() if a.reacts_to(event) and a.enabled()]
