"""Emails from templates: the documents' merge context and Jinja environment, French typography.

`render_email(template, case=)` gives the subject, the text and the HTML of an
`EmailTemplate` filled with a case's data; `validate_email_template(...)` checks a
template when it is saved (syntax error line, unknown merge field named), like the
document templates. `french_typography(text)` puts the narrow no-break spaces and the
typographic apostrophes, never inside a URL, an email address or an HTML tag.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.html import escape, linebreaks
from django.utils.translation import pgettext_lazy

from levier.cases.models import Case, Procedure
from levier.core import policy
from levier.mailing.models import OutboundEmail

from .context import context_skeleton, merge_context
from .models import EmailTemplate
from .render import environment
from .sandbox import BoundedSandbox
from .validation import _used_fields, parse_template

NARROW_NBSP = "\u202f"
# The keys an email may use on top of the documents' ones.
EMAIL_ONLY_KEYS = {"dossier": {"motif"}}

HTML_SHELL = (
    '<!doctype html>\n<html lang="fr"><head><meta charset="utf-8"><title>{title}</title></head>'
    "<body>\n{body}\n</body></html>"
)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


# ---------------------------------------------------------------------------
# French typography
# ---------------------------------------------------------------------------

# What is never touched: HTML tags and comments, character references, URLs, email addresses.
_PROTECTED = re.compile(
    r"<!--.*?-->"
    r"|<[a-zA-Z/!][^<>]*>"
    r"|&(?:[a-zA-Z][a-zA-Z0-9]*|\#[0-9]+|\#[xX][0-9a-fA-F]+);"
    r"|(?:[a-zA-Z][a-zA-Z0-9+.-]*://|www\.|mailto:)[^\s<>\"]*"
    r"|[^\s<>\"]*@[^\s<>\"]+",
    re.DOTALL,
)
_APOSTROPHE_REFERENCES = {"&#39;", "&#x27;", "&#X27;", "&apos;"}
_SPACES = "[ \u00a0\u202f]"
_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_OPENING = re.compile(r"«" + _SPACES + r"*(?=[^\s»])")
_CLOSING = re.compile(r"(?<=[^\s«])" + _SPACES + r"*»")
# A high punctuation mark after a word (with or without a space), ending its phrase.
_HIGH_PUNCTUATION = re.compile(r"(?<=[^\s;:!?«(\[])" + _SPACES + r"?([;:!?])(?=\s|$|[;:!?»])")


def _typeset(chunk: str) -> str:
    chunk = _APOSTROPHE.sub("’", chunk)
    chunk = _OPENING.sub("«" + NARROW_NBSP, chunk)
    chunk = _CLOSING.sub(NARROW_NBSP + "»", chunk)
    return _HIGH_PUNCTUATION.sub(NARROW_NBSP + r"\1", chunk)


def french_typography(text: str) -> str:
    """A narrow no-break space before ; : ! ? and inside « », and ’ for the apostrophe.

    URLs, email addresses, HTML tags and character references are left as they are
    (an escaped apostrophe between two letters becomes ’). Applying it twice changes
    nothing more.
    """
    pieces: list[tuple[bool, str]] = []  # (protected, text)
    position = 0
    for match in _PROTECTED.finditer(text):
        if match.start() > position:
            pieces.append((False, text[position : match.start()]))
        pieces.append((True, match.group()))
        position = match.end()
    if position < len(text):
        pieces.append((False, text[position:]))
    # An apostrophe escaped between two letters is an apostrophe too.
    for index, (protected, piece) in enumerate(pieces):
        if (
            protected
            and piece in _APOSTROPHE_REFERENCES
            and 0 < index < len(pieces) - 1
            and not pieces[index - 1][0]
            and not pieces[index + 1][0]
            and re.search(r"\w$", pieces[index - 1][1])
            and re.match(r"\w", pieces[index + 1][1])
        ):
            pieces[index] = (False, "’")
    # Typeset the text as a whole, each protected piece standing as one opaque character.
    # The stand-in is a private-use character the text does not contain.
    stand_in = next(chr(code) for code in range(0xE000, 0xF900) if chr(code) not in text)
    kept = [piece for protected, piece in pieces if protected]
    typeset = _typeset(
        "".join(stand_in if protected else piece for protected, piece in pieces)
    ).split(stand_in)
    out = [typeset[0]]
    for piece, following in zip(kept, typeset[1:], strict=True):
        out += [piece, following]
    return "".join(out)


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------


@functools.cache
def text_environment() -> BoundedSandbox:
    """The documents' environment (sandbox, strict merge values, filters) without escaping."""
    return environment().overlay(autoescape=False)  # type: ignore[return-value]


def email_context(case: Case, *, agent: Any = None) -> dict[str, Any]:
    """The documents' merge context, plus `dossier.motif` (the reason given with the status)."""
    context = merge_context(case, agent=agent)
    if (case.status_reason or "").strip():
        context["dossier"]["motif"] = case.status_reason.strip()
    return context


def html_from_text(text: str, *, title: str = "") -> str:
    """The HTML version of a text email: escaped, in paragraphs and line breaks."""
    return HTML_SHELL.format(title=escape(title), body=linebreaks(text, autoescape=True))


def render_email(template: EmailTemplate, *, case: Case, agent: Any = None) -> RenderedEmail:
    """Fill `template` with the case's data. Raises the documents' MissingMergeValue when the
    case lacks a printed value (the services turn it into a ValidationError naming it), a
    TemplateError when the template cannot be filled within its bounds (`bounded_run`)."""
    from .bounded_run import run_bounded

    context = email_context(case, agent=agent)
    return run_bounded(
        _fill_email, template.subject, template.body_text, template.body_html, context
    )


def _fill_email(subject: str, body_text: str, body_html: str, context: dict) -> RenderedEmail:
    subject = text_environment().from_string(subject).render(context)
    subject = french_typography(" ".join(subject.split()))
    text = french_typography(text_environment().from_string(body_text).render(context))
    if body_html.strip():
        html = environment().from_string(body_html).render(context)
        if "<html" not in html.lower():
            html = HTML_SHELL.format(title=escape(subject), body=html)
        html = french_typography(html)
    else:
        html = html_from_text(text, title=subject)
    return RenderedEmail(subject=subject, text=text, html=html)


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def email_skeleton(procedure: Procedure | None) -> dict[str, set[str] | None]:
    known = context_skeleton(procedure)
    for key, names in EMAIL_ONLY_KEYS.items():
        section = known[key]
        assert section is not None
        section.update(names)
    return known


def _check_source(source: str, known: dict[str, set[str] | None]) -> list[str]:
    return _used_fields(parse_template(text_environment(), source), known)


def validate_email_template(
    *, subject: str, body_text: str, body_html: str = "", procedure: Procedure | None = None
) -> list[str]:
    """Check the three parts of an email template; return the merge fields they use.

    Raises a ValidationError keyed by part ("subject", "body_text", "body_html") naming
    the syntax error's line or the unknown field and the known ones.
    """
    known = email_skeleton(procedure)
    errors: dict[str, ValidationError] = {}
    used: set[str] = set()
    for name, source in (("subject", subject), ("body_text", body_text), ("body_html", body_html)):
        try:
            used.update(_check_source(source or "", known))
        except ValidationError as error:
            errors[name] = error
    if errors:
        raise ValidationError(errors)
    return sorted(used)


# ---------------------------------------------------------------------------
# Reads for the case page
# ---------------------------------------------------------------------------

# DSFR badge and label of each outbox status, as the case page shows them.
STATUS_BADGES = {
    "queued": ("info", pgettext_lazy("email status", "queued")),
    "sending": ("info", pgettext_lazy("email status", "sending")),
    "sent": ("success", pgettext_lazy("email status", "sent")),
    "failed": ("error", pgettext_lazy("email status", "failed")),
    "bounced": ("warning", pgettext_lazy("email status", "not delivered")),
}
RESENDABLE = {"sent", "failed", "bounced"}


@dataclass(frozen=True)
class EmailRow:
    email: OutboundEmail
    badge: str
    label: str
    resendable: bool


@dataclass(frozen=True)
class CaseEmailsPanel:
    """What the case page's "Emails" section shows."""

    case: Case
    rows: list[EmailRow]
    templates: list[EmailTemplate]
    contact_email: str


def emails_for_case(case: Case) -> QuerySet[OutboundEmail]:
    """The outbox rows about a case, newest first, with their attachments."""
    return (
        OutboundEmail.objects.filter(about_type=Case._meta.label_lower, about_id=str(case.pk))
        .prefetch_related("attachments")
        .order_by("-created_at", "-pk")
    )


def email_templates_for_case(case: Case) -> QuerySet[EmailTemplate]:
    """Active email templates usable on the case (by hand or on a status): its procedure's
    and those for every procedure."""
    return (
        EmailTemplate.objects.filter(is_active=True)
        .filter(Q(procedure__isnull=True) | Q(procedure_id=case.procedure_id))
        .order_by("name", "id")
    )


def get_case_email_for(case: Case, email_id: int) -> OutboundEmail:
    """An email about `case` (a case the agent may see: fetch it with get_case_for first)."""
    email = emails_for_case(case).filter(pk=email_id).first()
    if email is None:
        raise policy.NotFound("No such email.")
    return email


def case_emails_panel(case: Case) -> CaseEmailsPanel:
    rows = []
    for email in emails_for_case(case):
        badge, label = STATUS_BADGES.get(email.status, ("info", email.get_status_display()))
        rows.append(EmailRow(email, badge, str(label), email.status in RESENDABLE))
    return CaseEmailsPanel(
        case=case,
        rows=rows,
        templates=list(email_templates_for_case(case)),
        contact_email=case.contact.email,
    )
