"""Every write of campaigns: create, start, run one throttled batch, cancel, unsubscribe.

A campaign is run by batches of `per_minute` cases: each batch is one task, which
enqueues the next one a minute later while cases remain. Each case is handled once
(`CampaignRecipient` is unique per campaign and case), so a batch run twice, or a
campaign resumed after a crash, never emails a usager twice.
"""

from __future__ import annotations

import datetime
import functools
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from jinja2 import TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from levier.cases.models import Case, CaseStatus, Procedure
from levier.contacts.models import Contact
from levier.core import policy
from levier.core.mail import tasks_share_the_database
from levier.core.models import Agent
from levier.documents.bounded_run import run_bounded
from levier.documents.context import merge_context
from levier.documents.render import MissingMergeValue, environment
from levier.documents.validation import refuse_extension_tag, refuse_forbidden_tags
from levier.journal.services import Actor, as_actor, record
from levier.mailing.services import email_queue

from . import selectors
from .models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
    Unsubscription,
)

ROBOT = Actor.robot("campaigns")
UNSUBSCRIBE_SALT = "levier.unsubscribe"
BATCH_INTERVAL = datetime.timedelta(seconds=60)
MAX_PER_MINUTE = 1000


class CannotStart(Exception):
    """The campaign cannot be started; the message says why."""


# --- rendering -----------------------------------------------------------------------


@functools.cache
def text_environment() -> SandboxedEnvironment:
    """The documents' sandboxed environment (strict merge values, French filters), for
    plain text: no HTML escaping in an email's text."""
    return environment().overlay(autoescape=False)


@dataclass(frozen=True)
class RenderedEmail:
    case: Case
    to: str
    subject: str
    body: str
    error: str = ""


def check_template(text: str, *, field: str) -> None:
    """A ValidationError naming the field when the Jinja template does not compile, or
    loads another template (the documents' rules: campaign texts are templates too)."""
    try:
        tree = text_environment().parse(text)
    except TemplateSyntaxError as error:
        try:
            refuse_extension_tag(error)
        except ValidationError as refusal:
            raise ValidationError({field: refusal.messages}, code="forbidden_tag") from None
        raise ValidationError(
            {
                field: _("Template error on line %(line)s: %(error)s")
                % {"line": error.lineno, "error": error.message}
            },
            code="template_syntax",
        ) from None
    try:
        refuse_forbidden_tags(tree)
    except ValidationError as refusal:
        raise ValidationError({field: refusal.messages}, code="forbidden_tag") from None


def missing_value_reason(error: MissingMergeValue) -> str:
    return _("Missing merge data: the case has no value for “%(name)s”.") % {
        "name": error.name or "?"
    }


def _render_texts(subject: str, body: str, context: dict[str, Any]) -> tuple[str, str]:
    env = text_environment()
    return " ".join(env.from_string(subject).render(context).split()), env.from_string(body).render(
        context
    )


def render_for(campaign: Campaign, case: Case) -> RenderedEmail:
    """The campaign's email for one case; `error` says why it cannot be rendered."""
    to = case.contact.email
    try:
        context = merge_context(case)
        # In a child process bounded in time and memory, as documents are: a team lead's
        # text must not hold a web worker or the task worker.
        subject, body = run_bounded(_render_texts, campaign.subject, campaign.body, context)
    except MissingMergeValue as error:
        return RenderedEmail(case, to, "", "", missing_value_reason(error))
    except TemplateError as error:
        return RenderedEmail(case, to, "", "", _("Template error: %(error)s") % {"error": error})
    return RenderedEmail(case, to, subject, body)


def unsubscribe_token(contact: Contact) -> str:
    """The contact's id, signed (no timestamp: the same link in every email, no expiry)."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(contact.pk))


def contact_id_from_token(token: str) -> int:
    """The contact id a token names; ValidationError for a bad or forged token."""
    try:
        return int(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise ValidationError(
            _("This unsubscribe link is not valid. Copy the whole link from the email."),
            code="bad_token",
        ) from None


def unsubscribe_url(contact: Contact) -> str:
    path = reverse("campaigns_portal:unsubscribe", args=[unsubscribe_token(contact)])
    return f"{settings.BASE_URL}{path}"


def with_unsubscribe_link(body: str, url: str) -> str:
    footer = _(
        "You receive this information because you have a case with us. "
        "To stop receiving this kind of information: %(url)s"
    ) % {"url": url}
    return f"{body.rstrip()}\n\n-- \n{footer}\n"


# --- preview -------------------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    target_count: int
    emails: list[RenderedEmail]


def campaign_preview(campaign: Campaign, limit: int = 5) -> Preview:
    """The emails of the first `limit` targeted cases, as they will be sent, and the count."""
    targets = selectors.campaign_targets(campaign)
    cases = targets.select_related(
        "procedure__organisation", "procedure_version", "contact", "team"
    )[:limit]
    emails = []
    for case in cases:
        rendered = render_for(campaign, case)
        if not rendered.error and not campaign.mandatory:
            body = with_unsubscribe_link(rendered.body, unsubscribe_url(case.contact))
            rendered = RenderedEmail(case, rendered.to, rendered.subject, body)
        emails.append(rendered)
    return Preview(target_count=targets.count(), emails=emails)


# --- writes --------------------------------------------------------------------------


def _check_may_run(actor: Agent, procedure: Procedure) -> None:
    """A procedure outside the agent's teams is not found; a plain agent is refused."""
    policy.check_may(actor, policy.Action.RUN_CAMPAIGNS, on=procedure)


def campaign_create(
    *,
    actor: Agent,
    name: str,
    procedure: Procedure,
    subject: str,
    body: str,
    case_statuses: list[str] | None = None,
    only_missing_documents: bool = False,
    mandatory: bool = False,
    per_minute: int = 60,
) -> Campaign:
    """A draft campaign, checked (statuses, throttle, templates) before anything is saved."""
    _check_may_run(actor, procedure)
    statuses = list(dict.fromkeys(case_statuses or []))
    unknown = [status for status in statuses if status not in CaseStatus.values]
    if unknown:
        raise ValidationError(
            {"case_statuses": _("Unknown case status: %(s)s.") % {"s": ", ".join(unknown)}}
        )
    if CaseStatus.DRAFT in statuses:
        raise ValidationError(
            {
                "case_statuses": _(
                    "Drafts belong to their usagers until they submit them: a campaign "
                    "cannot target them. Choose other statuses."
                )
            },
            code="draft_status",
        )
    if not 1 <= per_minute <= MAX_PER_MINUTE:
        raise ValidationError(
            {
                "per_minute": _("Give a number of emails per minute between 1 and %(max)s.")
                % {"max": MAX_PER_MINUTE}
            }
        )
    check_template(subject, field="subject")
    check_template(body, field="body")
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=name,
            procedure=procedure,
            case_statuses=statuses,
            only_missing_documents=only_missing_documents,
            subject=subject,
            body=body,
            mandatory=mandatory,
            per_minute=per_minute,
            created_by=actor,
        )
        record(
            actor=as_actor(actor),
            verb="create",
            target=campaign,
            payload={"procedure": procedure.slug, "mandatory": mandatory},
        )
    return campaign


def campaign_start(*, campaign: Campaign, actor: Agent) -> Campaign:
    """Start a draft campaign: its first batch runs at once, the next ones a minute apart."""
    _check_may_run(actor, campaign.procedure)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status != CampaignStatus.DRAFT:
            raise CannotStart(
                _("Campaign “%(name)s” is “%(status)s”: only a draft can be started.")
                % {"name": campaign.name, "status": campaign.get_status_display()}
            )
        campaign.status = CampaignStatus.RUNNING
        campaign.started_at = timezone.now()
        campaign.targeted_count = selectors.campaign_targets(campaign).count()
        campaign.save(update_fields=["status", "started_at", "targeted_count"])
        record(
            actor=as_actor(actor),
            verb="start",
            target=campaign,
            payload={"targeted": campaign.targeted_count, "per_minute": campaign.per_minute},
        )
        _enqueue_run(campaign.pk)
    campaign.refresh_from_db()
    return campaign


def campaign_cancel(*, campaign: Campaign, actor: Agent) -> Campaign:
    """Stop a draft or running campaign; emails already queued leave as planned."""
    _check_may_run(actor, campaign.procedure)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.status in {CampaignStatus.DRAFT, CampaignStatus.RUNNING}:
            campaign.status = CampaignStatus.CANCELLED
            campaign.finished_at = timezone.now()
            campaign.save(update_fields=["status", "finished_at"])
            record(
                actor=as_actor(actor),
                verb="cancel",
                target=campaign,
                payload={"queued": campaign.queued_count},
            )
    return campaign


def campaign_run(*, campaign_id: int, now: datetime.datetime | None = None) -> str:
    """One batch: queue the emails of the next `per_minute` cases not handled yet.

    Re-enqueues itself a minute later while cases remain; marks the campaign done at
    the end. Retry-safe: a case already handled is never taken again. `now` (the end of
    the batch by default) is for tests, which cannot rely on how long a batch takes.
    """
    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update()
            .select_related("procedure")
            .filter(pk=campaign_id)
            .first()
        )
        if campaign is None or campaign.status != CampaignStatus.RUNNING:
            return "not running"
        pending = selectors.campaign_pending_cases(campaign).select_related(
            "procedure__organisation", "procedure_version", "contact", "team"
        )
        batch = list(pending[: campaign.per_minute])
        unsubscribed = set(
            Unsubscription.objects.filter(
                contact_id__in=[case.contact_id for case in batch]
            ).values_list("contact_id", flat=True)
        )
        outcome: Counter[str] = Counter()
        for case in batch:
            outcome[_handle_case(campaign, case, unsubscribed=unsubscribed)] += 1
        remaining = selectors.campaign_pending_cases(campaign).exists()
        _refresh_counts(campaign, remaining=remaining)
        record(
            actor=ROBOT,
            verb="run",
            target=campaign,
            automated=True,
            payload={"queued": outcome["queued"], "skipped": outcome["skipped"]},
        )
        # Read after the batch: the next one starts a full interval after this one ended.
        now = now or timezone.now()
        if remaining:
            _enqueue_run(campaign.pk, run_after=now + BATCH_INTERVAL)
        else:
            campaign.status = CampaignStatus.DONE
            campaign.finished_at = now
            campaign.save(update_fields=["status", "finished_at"])
            record(
                actor=ROBOT,
                verb="finish",
                target=campaign,
                automated=True,
                payload={"queued": campaign.queued_count, "skipped": campaign.skipped_count},
            )
    return f"queued {outcome['queued']}, skipped {outcome['skipped']}"


def unsubscribe(*, token: str, source: str = "portal") -> Contact:
    """Record that a usager wants no more non-mandatory campaigns. Idempotent.

    A bad or forged token raises ValidationError (signing: no expiry).
    """
    contact_id = contact_id_from_token(token)
    contact: Contact | None = Contact.objects.filter(pk=contact_id).first()
    if contact is None:
        raise ValidationError(
            _("This unsubscribe link is not valid any more."), code="unknown_contact"
        )
    with transaction.atomic():
        _subscription, created = Unsubscription.objects.get_or_create(
            contact=contact, defaults={"source": source}
        )
        if created:
            record(
                actor=Actor.usager(contact),
                verb="unsubscribe",
                target=contact,
                payload={"source": source},
            )
    return contact


# --- helpers -------------------------------------------------------------------------


def _skip_reason(campaign: Campaign, contact: Contact, *, unsubscribed: set[int]) -> str:
    if not contact.email:
        return _("No email address.")
    if contact.email_undeliverable_at is not None:
        return _("Undeliverable email address.")
    if not campaign.mandatory and contact.pk in unsubscribed:
        return _("The usager unsubscribed.")
    return ""


def _handle_case(campaign: Campaign, case: Case, *, unsubscribed: set[int]) -> str:
    """Queue or skip one case, once: returns "queued", "skipped" or "taken" (already done)."""
    contact = case.contact
    reason = _skip_reason(campaign, contact, unsubscribed=unsubscribed)
    rendered = None
    if not reason:
        rendered = render_for(campaign, case)
        reason = rendered.error
    try:
        with transaction.atomic():
            recipient = CampaignRecipient.objects.create(
                campaign=campaign,
                case=case,
                contact=contact,
                status=RecipientStatus.SKIPPED if reason else RecipientStatus.QUEUED,
                reason=reason,
            )
            if reason:
                return "skipped"
            assert rendered is not None
            body, headers = rendered.body, {}
            if not campaign.mandatory:
                url = unsubscribe_url(contact)
                body = with_unsubscribe_link(body, url)
                headers = {
                    "List-Unsubscribe": f"<{url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                }
            try:
                email = email_queue(
                    to=rendered.to,
                    subject=rendered.subject,
                    body=body,
                    contact=contact,
                    about=case,
                    headers=headers,
                )
            except ValidationError:
                recipient.status = RecipientStatus.SKIPPED
                recipient.reason = _("Invalid email address.")
                recipient.save(update_fields=["status", "reason"])
                return "skipped"
            recipient.outbound_email = email
            recipient.save(update_fields=["outbound_email"])
    except IntegrityError:  # another run took this case meanwhile
        return "taken"
    return "queued"


def _refresh_counts(campaign: Campaign, *, remaining: bool) -> None:
    """Counts recomputed from the recipients: right even after a retried batch."""
    recipients = CampaignRecipient.objects.filter(campaign=campaign)
    reasons: Counter[str] = Counter(
        recipients.filter(status=RecipientStatus.SKIPPED).values_list("reason", flat=True)
    )
    campaign.queued_count = recipients.filter(status=RecipientStatus.QUEUED).count()
    campaign.skipped_count = sum(reasons.values())
    campaign.skipped_reasons = dict(reasons.most_common())
    handled = campaign.queued_count + campaign.skipped_count
    pending = selectors.campaign_pending_cases(campaign).count() if remaining else 0
    campaign.targeted_count = handled + pending
    campaign.save(
        update_fields=["queued_count", "skipped_count", "skipped_reasons", "targeted_count"]
    )


def _enqueue_run(campaign_id: int, *, run_after: datetime.datetime | None = None) -> None:
    if tasks_share_the_database():
        _enqueue_now(campaign_id, run_after)
    else:
        transaction.on_commit(lambda: _enqueue_now(campaign_id, run_after))


def _enqueue_now(campaign_id: int, run_after: datetime.datetime | None) -> Any:
    """Queue one batch; a backend that cannot defer leaves the next batches to
    `campaign_run` being called again (e.g. by an operator)."""
    from .tasks import run_campaign

    task = run_campaign
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return None
        task = task.using(run_after=run_after)
    return task.enqueue(campaign_id)
