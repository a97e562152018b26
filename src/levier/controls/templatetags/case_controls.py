"""`{% case_controls case %}`: the controls section of a case page (document checks, rules,
flags with their reasons and the agent's result), without cases importing controls."""

from django import template

from levier.controls.forms import AdviceForm, AdviceOutcomeForm, ControlResultForm
from levier.controls.selectors import case_controls_panel

register = template.Library()


@register.inclusion_tag("controls/_case_controls.html", takes_context=True)
def case_controls(context, case):
    return {
        "case": case,
        "panel": case_controls_panel(case),
        "result_form": ControlResultForm(),
        "advice_form": AdviceForm(),
        "advice_outcome_form": AdviceOutcomeForm(),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
