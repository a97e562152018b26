"""Usager portal: the landing page and the follow-up of a case or an enquiry.

No login: a usager proves they may see a request with its reference and the code
emailed to them. Wrong code and unknown reference get the same answer, and failed
attempts are limited per reference and per client address (`follow_limits`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from levier.cases import selectors as case_selectors
from levier.cases.models import Case, CaseStatus
from levier.core import verification
from levier.enquiries import selectors as enquiry_selectors
from levier.enquiries.models import Enquiry, EnquiryStatus
from levier.enquiries.services import enquiry_add_usager_message
from levier.journal.selectors import timeline_for
from levier.journal.services import Actor, record

from . import follow_limits
from .forms import FollowForm, UsagerMessageForm

FOLLOW_GRANT_KEY = "portal_follow"
FOLLOW_GRANT_SECONDS = 60 * 60
# Compared against when the reference is unknown, so both failures take the same time.
_DUMMY_DIGEST = "0" * 64

# What the usager reads for each enquiry status.
USAGER_ENQUIRY_STATUS = {
    EnquiryStatus.NEW: pgettext_lazy("enquiry status", "Received"),
    EnquiryStatus.OPEN: gettext_lazy("Being handled"),
    EnquiryStatus.WAITING_FOR_USAGER: gettext_lazy("Answered — waiting for your reply"),
    EnquiryStatus.CLOSED: gettext_lazy("Answered and closed"),
}
# Case journal verbs that are status changes the usager may see.
CASE_STATUS_VERBS = {"submit", "transition"}


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"title": _("Online services"), "nav": "home"})


# --- follow-up ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Followed:
    kind: str  # "enquiry" or "case"
    obj: Enquiry | Case


def _find(reference: str, code: str) -> Followed | None:
    """The enquiry or case this reference names, if the code matches; else None."""
    enquiry = enquiry_selectors.enquiry_by_reference(reference)
    if enquiry is not None:
        ok = verification.matches(reference, code, enquiry.verification_digest)
        return Followed("enquiry", enquiry) if ok else None
    case = case_selectors.case_by_reference(reference)
    if case is not None:
        ok = verification.matches(reference, code, case.verification_digest)
        return Followed("case", case) if ok else None
    verification.matches(reference, code, _DUMMY_DIGEST)
    return None


def _granted(request: HttpRequest) -> Followed | None:
    """The request this session proved it may follow, while the grant lasts."""
    grant = request.session.get(FOLLOW_GRANT_KEY)
    if not grant or grant.get("until", 0) < time.time():
        request.session.pop(FOLLOW_GRANT_KEY, None)
        return None
    if grant.get("kind") == "enquiry":
        enquiry = enquiry_selectors.enquiry_by_reference(grant.get("reference", ""))
        return Followed("enquiry", enquiry) if enquiry and enquiry.pk == grant.get("id") else None
    if grant.get("kind") == "case":
        case = case_selectors.case_by_reference(grant.get("reference", ""))
        return Followed("case", case) if case and case.pk == grant.get("id") else None
    return None


def _render_lookup(request: HttpRequest, form: FollowForm, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "portal/follow.html",
        {"title": _("Follow a request"), "nav": "follow", "form": form},
        status=status,
    )


def _render_followed(
    request: HttpRequest,
    followed: Followed,
    *,
    message_form: UsagerMessageForm | None = None,
    status: int = 200,
) -> HttpResponse:
    obj = followed.obj
    record(actor=Actor.usager(obj.contact), verb="read", target=obj, payload={"what": "follow"})
    context = {"nav": "follow", "followed": obj, "kind": followed.kind}
    if followed.kind == "enquiry":
        context.update(
            title=_("Enquiry %(reference)s") % {"reference": obj.reference},
            status_label=USAGER_ENQUIRY_STATUS.get(obj.status, obj.get_status_display()),
            thread=enquiry_selectors.usager_thread(obj),
            message_form=message_form or UsagerMessageForm(),
        )
        template = "portal/follow_enquiry.html"
    else:
        history = [
            event for event in timeline_for(obj, limit=100) if event.verb in CASE_STATUS_VERBS
        ]
        context.update(
            title=_("Case %(reference)s") % {"reference": obj.reference},
            status_label=obj.get_status_display(),
            history=[
                {
                    "at": event.occurred_at,
                    "status": _case_status_label(
                        CaseStatus.SUBMITTED
                        if event.verb == "submit"
                        else event.payload.get("to", "")
                    ),
                    # The reason lives in the purgeable detail (in the payload before).
                    "reason": (event.detail_text or event.payload.get("reason", ""))
                    if event.verb == "transition"
                    else "",
                }
                for event in reversed(history)
            ],
        )
        template = "portal/follow_case.html"
    return render(request, template, context, status=status)


def _case_status_label(status: str) -> str:
    return str(CaseStatus(status).label) if status in CaseStatus.values else status


@login_not_required
@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action", "lookup") if request.method == "POST" else ""

    if action == "forget":
        request.session.pop(FOLLOW_GRANT_KEY, None)
        return redirect("portal:follow")

    if action == "message":
        followed = _granted(request)
        if followed is None or followed.kind != "enquiry":
            messages.warning(
                request, _("For your security, enter the reference and the code again.")
            )
            return redirect("portal:follow")
        form = UsagerMessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                enquiry_add_usager_message(
                    enquiry=followed.obj,
                    body=form.cleaned_data["message"],
                    attachments=form.cleaned_data["attachments"],
                    contact=followed.obj.contact,
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, _("Your message was sent. We will answer you by email."))
                return redirect("portal:follow")
        return _render_followed(request, followed, message_form=form, status=400)

    if action == "lookup":
        return _lookup(request)

    followed = _granted(request)
    if followed is not None:
        return _render_followed(request, followed)
    return _render_lookup(request, FollowForm())


def _lookup(request: HttpRequest) -> HttpResponse:
    """Check a reference and its code, unless this client or this reference is blocked."""
    form = FollowForm(request.POST)
    valid = form.is_valid()  # also keeps what was typed when the attempt is refused
    blocked = follow_limits.address_blocked(request)
    if valid and not blocked:
        blocked = follow_limits.reference_blocked(form.cleaned_data["reference"])
    if blocked:  # refused before the code is compared, even the right one
        form.add_error(None, blocked)
        return _render_lookup(request, form, status=429)
    if not valid:
        return _render_lookup(request, form, status=400)
    reference = form.cleaned_data["reference"]
    found = _find(reference, form.cleaned_data["code"])
    if found is None:
        follow_limits.record_failure(request, reference)
        form.add_error(
            None,
            _(
                "The reference or the code is incorrect. Check them in the email you received "
                "(the code has 8 characters, without 0, O, 1 or I)."
            ),
        )
        return _render_lookup(request, form, status=400)
    request.session[FOLLOW_GRANT_KEY] = {
        "kind": found.kind,
        "id": found.obj.pk,
        "reference": found.obj.reference,
        "until": time.time() + FOLLOW_GRANT_SECONDS,
    }
    request.session.cycle_key()
    return redirect("portal:follow")
