"""Agents' controls pages: flags to control with their reasons, results, friendly letters.

Every agent sees the flags of their teams' cases (anything else is a 404). A flag only
proposes: recording a result never changes the case's status.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from levier.cases.selectors import get_case_for
from levier.journal.services import record_list_read

from . import flags, selectors
from .forms import AdviceForm, AdviceOutcomeForm, ControlResultForm, FlagFilterForm
from .services import case_check_now


def flag_list(request: HttpRequest) -> HttpResponse:
    procedures = selectors.procedures_with_flags(request.user)
    filters = FlagFilterForm(request.GET or None, procedures=procedures)
    filters.is_valid()
    chosen = filters.filters()
    procedure, source, state = chosen["procedure"], chosen["source"], chosen["state"]
    found = selectors.flags_for(request.user, **chosen)
    statistics = selectors.control_statistics(request.user, procedure)
    territories, overall = selectors.flag_rates_by_territory(request.user, procedure)
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    # Each row names a case and its usager: the cases shown are the read's subjects.
    record_list_read(
        agent=request.user,
        listed="controls.flag",
        shown=[("cases.case", flag.case_id) for flag in page],
        filters=[name for name, value in (("procedure", procedure), ("source", source)) if value]
        + [f"state:{state}"],
    )
    return render(
        request,
        "controls/list.html",
        {
            "title": _("Controls"),
            "nav": "controls",
            "filters": filters,
            "page": page,
            # The count of the rows when filters narrow the list (a dashboard figure's link).
            "matching": page.paginator.count if filters.narrowed else None,
            "query": _without_page(request),
            "statistics": statistics,
            "rows": [(row, statistics.lift(row)) for row in statistics.sources],
            "territories": territories,
            "overall_rate": overall,
            "min_cases": selectors.MIN_CASES_FOR_DISPARITY,
        },
    )


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _case_url(case_id: int) -> str:
    return reverse("cases:detail", args=[case_id])


def _back(flag) -> HttpResponse:
    return redirect(f"{_case_url(flag.case_id)}#controls")


def _refused(request: HttpRequest, error: ValidationError | None, form=None) -> None:
    problems = error.messages if error else [m for ms in form.errors.values() for m in ms]
    for problem in problems:
        messages.error(request, problem)


def _act_on_flag(request: HttpRequest, flag_pk: int, form_class, act, success: str) -> HttpResponse:
    """Parse the form, call one service with the flag, tell the agent, back to the case."""
    flag = selectors.get_flag_for(request.user, flag_pk)
    form = form_class(request.POST)
    if not form.is_valid():
        _refused(request, None, form)
        return _back(flag)
    try:
        act(flag=flag, actor=request.user, **form.cleaned_data)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, success)
    return _back(flag)


@require_POST
def flag_result(request: HttpRequest, flag_pk: int) -> HttpResponse:
    return _act_on_flag(
        request, flag_pk, ControlResultForm, flags.flag_record_result,
        _("Result of the control recorded."),
    )  # fmt: skip


@require_POST
def flag_advice(request: HttpRequest, flag_pk: int) -> HttpResponse:
    return _act_on_flag(
        request, flag_pk, AdviceForm, flags.flag_send_advice,
        _("Friendly letter queued for sending to the usager."),
    )  # fmt: skip


@require_POST
def flag_advice_outcome(request: HttpRequest, flag_pk: int) -> HttpResponse:
    return _act_on_flag(
        request, flag_pk, AdviceOutcomeForm, flags.flag_record_advice,
        _("Follow-up of the friendly letter recorded."),
    )  # fmt: skip


@require_POST
def case_check(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = get_case_for(request.user, case_pk)
    summary = case_check_now(case=case, actor=request.user)
    messages.success(
        request,
        _("%(documents)s document(s) checked, %(rules)s rule(s) evaluated.") % summary,
    )
    return redirect(f"{_case_url(case.pk)}#controls")
