"""Portal pages of online procedures: the list, the submission form, the receipt.

No login: LoginRequiredMiddleware is lifted per view with `login_not_required`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from levier.cases import selectors, services
from levier.cases.forms import IdentityForm, OtherDocumentsForm
from levier.cases.schema import build_form_class, cleaned_files, cleaned_to_data

SESSION_KEY = "portal_case_submitted"


@login_not_required
@require_GET
def procedure_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/case_procedures.html",
        {
            "title": _("Online procedures"),
            "nav": "procedures",
            "procedures": selectors.published_procedures(),
        },
    )


def _attach(error: ValidationError, forms: list[Form]) -> None:
    """Show a service's error next to the field it names, or at the top of the first form."""
    if not hasattr(error, "error_dict"):
        forms[0].add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = next((form for form in forms if field in form.fields), None)
        for item in errors:
            if target is not None:
                target.add_error(field, item)
            else:
                forms[0].add_error(None, item)


def _error_summary(forms: list[Form]) -> list[dict[str, Any]]:
    """Every error of the page, each linking to its field, for the summary at the top."""
    summary = []
    for form in forms:
        for message in form.non_field_errors():
            summary.append({"id": "", "label": "", "message": message})
        for bound in form:  # in the order of the page
            for message in bound.errors:
                summary.append({"id": bound.id_for_label, "label": bound.label, "message": message})
    return summary


def _mask_email(email: str) -> str:
    """'elodie.dupont@exemple.fr' -> 'e***@exemple.fr'."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else email


@login_not_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest, slug: str) -> HttpResponse:
    procedure = selectors.get_published_procedure(slug)
    version = procedure.current_version
    if version is None:
        raise Http404("This procedure has no published form yet.")
    form_class = build_form_class(version.field_schema)
    if request.method == "POST":
        identity_form = IdentityForm(request.POST, prefix="identity")
        form = form_class(request.POST, request.FILES)
        others_form = OtherDocumentsForm(request.POST, request.FILES, prefix="other")
        forms = [identity_form, form, others_form]
        if all([f.is_valid() for f in forms]):
            files = cleaned_files(form) + [
                ("", checked) for checked in others_form.cleaned_data["documents"]
            ]
            try:
                case, _code = services.case_submit_from_portal(
                    procedure=procedure,
                    identity=identity_form.identity(),
                    data=cleaned_to_data(form),
                    files=files,
                )
            except ValidationError as error:
                _attach(error, forms)
            else:
                request.session[SESSION_KEY] = {
                    "reference": case.reference,
                    "email": _mask_email(identity_form.cleaned_data["email"]),
                    "procedure": procedure.name,
                }
                return redirect("portal:case_submitted", slug=procedure.slug)
        status = 400
    else:
        identity_form = IdentityForm(prefix="identity")
        form = form_class()
        others_form = OtherDocumentsForm(prefix="other")
        forms = [identity_form, form, others_form]
        status = 200
    summary = _error_summary(forms) if request.method == "POST" else []
    return render(
        request,
        "portal/case_new.html",
        {
            "title": procedure.name,
            "nav": "procedures",
            "procedure": procedure,
            "identity_form": identity_form,
            "form": form,
            "others_form": others_form,
            "errors": summary,
            "had_files": bool(request.FILES),
            "mark_optional": getattr(settings, "DSFR_MARK_OPTIONAL_FIELDS", False),
        },
        status=status,
    )


@login_not_required
@require_GET
def case_submitted(request: HttpRequest, slug: str) -> HttpResponse:
    receipt = request.session.get(SESSION_KEY)
    if not receipt:
        return redirect("portal:case_new", slug=slug)
    return render(
        request,
        "portal/case_submitted.html",
        {"title": _("Case registered"), "nav": "procedures", "receipt": receipt},
    )
