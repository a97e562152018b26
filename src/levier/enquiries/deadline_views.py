"""The deadlines page: what is late and what is about to be, across the agent's teams."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import deadline_selectors


@require_GET
def enquiry_deadlines(request: HttpRequest) -> HttpResponse:
    board = deadline_selectors.deadline_board(request.user)
    # Both sections share one table layout in the template; `late` tells them apart.
    sections = [
        {"late": True, "rows": board.overdue, "total": board.overdue_total,
         "more": board.overdue_more, "capped": False},
        {"late": False, "rows": board.due_soon, "total": board.due_soon_total,
         "more": board.due_soon_more, "capped": board.due_soon_capped},
    ]  # fmt: skip
    return render(
        request,
        "enquiries/deadlines.html",
        {"title": _("Deadlines"), "nav": "deadlines", "board": board, "sections": sections},
    )
