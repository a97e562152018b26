"""Answer templates: French merge fields, validation with a clear message, rendering.

Bodies use Django's template syntax (`{{ usager.nom }}`, `{% if usager.prenom %}…{% endif %}`)
rendered by a dedicated engine: no loaders, no include or extends, no custom tag
libraries, no autoescaping (the answer is plain text, sent by email).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import FilterExpression, Node, Variable
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from levier.core.french import format_long_date

if TYPE_CHECKING:
    from levier.core.models import Agent

    from .models import AnswerTemplate, Enquiry

# Every merge field an administrator may use, with what it holds (shown in the admin).
MERGE_FIELDS: dict[str, Any] = {
    "usager.nom": gettext_lazy("last name of the usager (or the company's name)"),
    "usager.prenom": gettext_lazy("first name of the usager"),
    "usager.nom_complet": gettext_lazy("full name of the usager or name of the company"),
    "usager.email": gettext_lazy("email of the usager"),
    "sollicitation.reference": gettext_lazy("reference of the enquiry"),
    "sollicitation.objet": gettext_lazy("subject of the enquiry"),
    "sollicitation.date": gettext_lazy("date the enquiry was received"),
    "sollicitation.echeance": gettext_lazy("answer deadline"),
    "agent.prenom": gettext_lazy("first name of the agent who answers"),
    "agent.nom": gettext_lazy("last name of the agent who answers"),
    "equipe.nom": gettext_lazy("name of the team"),
    "organisation.nom": gettext_lazy("name of the administration"),
    "date_du_jour": gettext_lazy("today's date"),
}
# Names a {% for %} or {% with %} may bind inside a template, besides the merge fields.
_LOOP_NAMES = {"forloop"}
_PLAIN_FIELD = re.compile(r"\{\{\s*([a-z_]+(?:\.[a-z_]+)?)\s*\}\}")


class _AnswerEngine(Engine):
    # No loader tags: an answer cannot include or extend files of the server.
    default_builtins = ["django.template.defaulttags", "django.template.defaultfilters"]


# debug=True keeps each node's token, hence the line of an error or of an unknown field.
_ENGINE = _AnswerEngine(loaders=[], libraries={}, autoescape=False, debug=True)


def known_fields_text() -> str:
    return ", ".join(f"{{{{ {name} }}}}" for name in MERGE_FIELDS)


def _line_of(error: TemplateSyntaxError) -> int | None:
    info = getattr(error, "template_debug", None)
    if info:
        return info.get("line")
    token = getattr(error, "token", None)
    return getattr(token, "lineno", None)


def _expressions(value: Any, seen: set[int]) -> Iterator[FilterExpression]:
    """Every FilterExpression inside a node attribute (conditions nest them in operators)."""
    if id(value) in seen or value is None or isinstance(value, (str, int, float, bool)):
        return
    seen.add(id(value))
    if isinstance(value, FilterExpression):
        yield value
        for _func, args in value.filters:
            for is_variable, argument in args:
                if is_variable and isinstance(argument, Variable):
                    yield _variable_expression(argument)
        return
    if isinstance(value, Node):
        return  # child nodes are walked through nodelists
    if isinstance(value, dict):
        for item in value.values():
            yield from _expressions(item, seen)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _expressions(item, seen)
    elif hasattr(value, "__dict__"):  # if-conditions: TemplateLiteral, operators
        for item in vars(value).values():
            yield from _expressions(item, seen)


def _variable_expression(variable: Variable) -> FilterExpression:
    expression = FilterExpression.__new__(FilterExpression)
    expression.var = variable
    expression.filters = []
    return expression


def _used_fields(nodelist) -> Iterator[tuple[str, int | None]]:
    """(dotted name, line) of every variable a compiled template reads."""
    bound: set[str] = set(_LOOP_NAMES)
    for node in nodelist.get_nodes_by_type(Node):
        bound.update(getattr(node, "loopvars", []) or [])
        bound.update((getattr(node, "extra_context", None) or {}).keys())
    for node in nodelist.get_nodes_by_type(Node):
        token = getattr(node, "token", None)
        line = getattr(token, "lineno", None)
        seen: set[int] = set()
        for name, value in vars(node).items():
            if name in {"token", "origin"}:
                continue  # child nodes are Nodes, skipped inside _expressions
            for expression in _expressions(value, seen):
                variable = getattr(expression, "var", None)
                if not isinstance(variable, Variable) or variable.lookups is None:
                    continue  # a literal: "texte", 12
                if variable.lookups[0] in bound:
                    continue
                yield ".".join(variable.lookups), line


def validate_template(body: str) -> None:
    """Raise ValidationError naming the problem: a syntax error and its line, or an
    unknown merge field and the list of known ones."""
    try:
        template = _ENGINE.from_string(body or "")
    except TemplateSyntaxError as error:
        line = _line_of(error)
        if line:
            message = _("Syntax error on line %(line)d: %(error)s") % {
                "line": line,
                "error": error,
            }
        else:
            message = _("Syntax error: %(error)s") % {"error": error}
        raise ValidationError(message, code="syntax") from None
    unknown = [
        (name, line) for name, line in _used_fields(template.nodelist) if name not in MERGE_FIELDS
    ]
    if unknown:
        name, line = unknown[0]
        raise ValidationError(
            _("Unknown merge field “%(field)s” on line %(line)s. Known fields: %(known)s.")
            % {"field": name, "line": line or "?", "known": known_fields_text()},
            code="unknown_field",
        )


def french_date(value: dt.date | dt.datetime | None) -> str:
    """'12 mars 2026', '1er août 2026', whatever the agent's language: the answer goes to a
    French usager."""
    return format_long_date(value) if value is not None else ""


def merge_values(*, enquiry: Enquiry, agent: Agent | None) -> dict[str, str]:
    """The merge fields' values for this enquiry, by dotted name."""
    contact = enquiry.contact
    is_company = contact.kind == "company"
    team = enquiry.team
    return {
        "usager.nom": contact.legal_name if is_company else contact.last_name,
        "usager.prenom": "" if is_company else contact.first_name,
        "usager.nom_complet": contact.display_name,
        "usager.email": contact.email,
        "sollicitation.reference": enquiry.reference,
        "sollicitation.objet": enquiry.subject,
        "sollicitation.date": french_date(enquiry.created_at),
        "sollicitation.echeance": french_date(enquiry.sla_due_at),
        "agent.prenom": agent.first_name if agent else "",
        "agent.nom": agent.last_name if agent else "",
        "equipe.nom": team.name,
        "organisation.nom": team.organisation.name if team.organisation_id else "",
        "date_du_jour": french_date(timezone.localdate()),
    }


def _nested(values: dict[str, str]) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for name, value in values.items():
        head, _dot, tail = name.partition(".")
        if tail:
            context.setdefault(head, {})[tail] = value
        else:
            context[head] = value
    return context


def render_text(body: str, *, enquiry: Enquiry, agent: Agent | None) -> str:
    """A template body rendered for this enquiry (validate it first: errors propagate)."""
    template = _ENGINE.from_string(body or "")
    context = Context(_nested(merge_values(enquiry=enquiry, agent=agent)), autoescape=False)
    return template.render(context).strip()


def render_answer(template: AnswerTemplate, *, enquiry: Enquiry, agent: Agent | None) -> str:
    return render_text(template.body, enquiry=enquiry, agent=agent)


def fill_fields(text: str, *, enquiry: Enquiry, agent: Agent | None) -> str:
    """Replace plain `{{ field }}` merge fields only, without template syntax: for texts
    that were not written as templates (past answers), where a stray `{%` must stay text."""
    values = merge_values(enquiry=enquiry, agent=agent)
    return _PLAIN_FIELD.sub(lambda match: values.get(match[1], match[0]), text)
