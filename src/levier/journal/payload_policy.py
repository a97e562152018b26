"""What an event's payload may hold: identifiers, codes, numbers, booleans, dates and short
enumerated strings, under declared keys. Never free text nor contact details.

The journal is append-only: a name, an address or a refusal's wording written into a
payload could never be erased, whatever the retention. Text an event must show goes to
`record(detail=...)` (the `EventDetail` table, which `levier purge` deletes).

When a payload breaks the policy, `record()` refuses it with `PayloadPolicyError` where
LEVIER_JOURNAL_PAYLOAD_STRICT is on (DEBUG and the tests), so a new code path fails its
first test. In production it drops the offending keys and logs their names (never their
values): refusing there would make an agent's action fail, or lose the event, for a
mistake the tests should have caught.
"""

from __future__ import annotations

import datetime
import logging
import re
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

# Keys any verb may use. Each one holds an identifier, a code, a count, a flag or a date.
ALLOWED_KEYS = frozenset(
    {
        # identifiers of other rows, and references the administration issued
        "about",
        "client",
        "comment",
        "document",
        "email",
        "external_id",
        "flag",
        "ids",
        "mailbox",
        "message_id",
        "notification",
        "reference",
        "resent_from",
        "source",
        "team_id",
        "template",
        "to",
        "from",
        "workers",
        "task",
        "model",
        "case",
        "campaign_recipients",
        "outbound_emails",
        "unsubscription_moved",
        "automation",
        "event",
        "error",
        "why",
        "owner",  # an agent's id (a scheduled report's owner, insights)
        "run",  # a scheduled report's run (insights)
        # codes and enumerated values
        "active",
        "advice",
        "channel",
        "close",
        "code",
        "correction",
        "format",
        "kind",
        "kinds",
        "mandatory",
        "outcome",
        "priority",
        "procedure",
        "reason_code",
        "result",
        "scopes",
        "sealed",
        "status",
        "status_was",
        "suggestion",
        "topic",
        "two_d_doc",
        "what",
        "where",
        "field",
        "fields",
        "differs",
        "filled_fields",
        "filters",
        "skipped",
        "path",
        "before",
        "after",
        "rules",
        "classes",
        "recovered",
        "answered",
        "mentions",
        "to_label",
        "template_name",
        "name",
        "sha256",
        "version",
        "withdrawn",
        # counts and measures
        "attachments",
        "attempts",
        "cases",
        "cleared",
        "count",
        "counts",
        "deleted",
        "documents",
        "done",
        "enquiries",
        "earlier_merged_contacts",
        "failed",
        "failures",
        "files",
        "flagged",
        "hours_left",
        "invalid",
        "linked",
        "milliseconds",
        "notified",
        "per_minute",
        "query_length",
        "queued",
        "rows",
        "sampled",
        "samples",
        "size",
        "targeted",
        "window_seconds",
        "dry_run",
        "days",
        "topic_confidence",
        "priority_confidence",
        # how intake decided (codes) and which rule
        "topic_source",
        "priority_source",
        "suggested_topic",
        "rule_id",
        # dates
        "last_seen_before",
        "next",
        "started_at",
        "before_date",
    }
)

# A short enumerated string: a slug, a status, a reference, an ISO date, a template name.
MAX_STRING_LENGTH = 80
# An email address anywhere in a string; a Message-ID looks like one but names no person.
EMAIL_ADDRESS = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+")
KEYS_WITH_AT_SIGN = frozenset({"message_id"})
MAX_DEPTH = 3


class PayloadPolicyError(ValueError):
    """A payload holds a key or a value the journal may not keep."""


def _value_problem(key: str, value: Any, depth: int = 0) -> str:
    if value is None or isinstance(value, bool | int | float | datetime.date):
        return ""
    if isinstance(value, str):
        if len(value) > MAX_STRING_LENGTH:
            return f"{len(value)} characters (free text?)"
        if "\n" in value:
            return "a line break (free text?)"
        if key not in KEYS_WITH_AT_SIGN and EMAIL_ADDRESS.search(value):
            return "an email address"
        return ""
    if depth >= MAX_DEPTH:
        return "nested too deep"
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            if problem := _value_problem(key, item, depth + 1):
                return problem
        return ""
    if isinstance(value, dict):
        # Nested keys name rule ids, classes or fields: their values are checked, not them.
        for inner_key, item in value.items():
            if problem := _value_problem(key, str(inner_key), depth + 1) or _value_problem(
                key, item, depth + 1
            ):
                return problem
        return ""
    return f"a {type(value).__name__}"


def payload_violations(payload: dict[str, Any] | None) -> dict[str, str]:
    """The payload's keys that break the policy, each with why (empty when it complies)."""
    problems: dict[str, str] = {}
    for key, value in (payload or {}).items():
        if key not in ALLOWED_KEYS:
            problems[key] = "key not in the allow-list (journal.payload_policy.ALLOWED_KEYS)"
        elif problem := _value_problem(key, value):
            problems[key] = problem
    return problems


def enforce(verb: str, payload: dict[str, Any] | None) -> dict[str, Any]:
    """The payload to store: refused (strict) or without its offending keys (production)."""
    problems = payload_violations(payload)
    if not problems:
        return dict(payload or {})
    described = "; ".join(f"{key}: {why}" for key, why in sorted(problems.items()))
    if settings.JOURNAL_PAYLOAD_STRICT:
        raise PayloadPolicyError(
            f"journal payload of {verb!r} refused ({described}): keep identifiers and codes "
            "in the payload and pass text to record(detail=...)"
        )
    logger.warning("journal payload of %r: keys dropped (%s)", verb, described)
    return {key: value for key, value in (payload or {}).items() if key not in problems}
