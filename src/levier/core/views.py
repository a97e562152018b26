from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from levier.cases.selectors import my_open_cases, team_queue
from levier.enquiries.selectors import my_open_enquiries, team_enquiry_queue
from levier.journal.services import record_list_read

from . import selectors, services
from .forms import LoginForm
from .models import Role

HOME_LIST_SIZE = 10


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True
    extra_context = {"title": _("Log in")}


def home(request: HttpRequest) -> HttpResponse:
    agent = request.user
    if agent.role == Role.DPO:
        return redirect("privacy:search")  # no queue: their work is the reads' audit
    context = {
        "title": _("My work"),
        "nav": "home",
        "my_cases": list(my_open_cases(agent)[:HOME_LIST_SIZE]),
        "queue_cases": list(team_queue(agent)[:HOME_LIST_SIZE]),
        "my_enquiries": list(my_open_enquiries(agent)[:HOME_LIST_SIZE]),
        "queue_enquiries": list(team_enquiry_queue(agent)[:HOME_LIST_SIZE]),
        "teams": selectors.teams_of(agent),
    }
    # The four lists name usagers: one list read for the page, naming its rows.
    record_list_read(
        agent=agent,
        listed="core.home",
        shown=[
            *context["my_cases"], *context["queue_cases"],
            *context["my_enquiries"], *context["queue_enquiries"],
        ],
    )  # fmt: skip
    return render(request, "core/home.html", context)


def notifications(request: HttpRequest) -> HttpResponse:
    items = selectors.notifications_for(request.user)[:100]
    return render(
        request, "core/notifications.html", {"title": _("Notifications"), "notifications": items}
    )


@require_POST
def notification_open(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = get_object_or_404(selectors.notifications_for(request.user), pk=notification_id)
    services.notification_mark_read(agent=request.user, notification=notification)
    return redirect(notification.url)
