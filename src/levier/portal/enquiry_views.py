"""The usager writes to the administration: the form, then the acknowledgement page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from levier.contacts.services import contact_find_or_create
from levier.enquiries.intake import Incoming, receive
from levier.enquiries.models import Channel
from levier.journal.services import Actor

from .forms import EnquiryForm

SENT_SESSION_KEY = "portal_enquiry_sent"


def _add_service_errors(form: EnquiryForm, error: ValidationError) -> None:
    aliases = {"body": "message"}
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            name = aliases.get(field, field)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_not_required
@require_http_methods(["GET", "POST"])
def enquiry_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = EnquiryForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            usager = Actor.usager(label=f"{data['first_name']} {data['last_name']}")
            try:
                with transaction.atomic():
                    contact = contact_find_or_create(
                        kind="person",
                        email=data["email"],
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        phone=data["phone"],
                        actor=usager,
                    )
                    result = receive(
                        Incoming(
                            channel=Channel.PORTAL,
                            contact=contact,
                            subject=data["subject"],
                            body=data["message"],
                            topic=data["topic"],
                            attachments=data["attachments"],
                        ),
                        actor=Actor.usager(contact),
                    )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                request.session[SENT_SESSION_KEY] = {
                    "reference": result.enquiry.reference,
                    "email": contact.email,
                    "joined": result.outcome != "created",
                }
                return redirect("portal:enquiry_sent")
        form.set_autofocus_on_first_error()
        return render(
            request,
            "portal/enquiry_new.html",
            {"title": _("Write to the administration"), "nav": "enquiry", "form": form},
            status=400,
        )
    return render(
        request,
        "portal/enquiry_new.html",
        {"title": _("Write to the administration"), "nav": "enquiry", "form": EnquiryForm()},
    )


@login_not_required
@require_GET
def enquiry_sent(request: HttpRequest) -> HttpResponse:
    sent = request.session.get(SENT_SESSION_KEY)
    if not sent:
        return redirect("portal:enquiry_new")
    return render(
        request,
        "portal/enquiry_sent.html",
        {
            "title": _("Your enquiry has been sent"),
            "nav": "enquiry",
            "reference": sent["reference"],
            "email": sent["email"],
            "joined": sent.get("joined", False),
        },
    )
