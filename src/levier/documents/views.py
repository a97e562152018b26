"""Agents' views: generate a document on a case, download a generated document."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from levier.cases.selectors import get_case_for
from levier.journal.services import record_read

from . import selectors, services
from .forms import GenerateForm


def _back(case_pk: int) -> HttpResponse:
    return redirect(reverse("cases:detail", args=[case_pk]) + "#generated-documents")


def generate(request: HttpRequest, case_pk: int) -> HttpResponse:
    case = get_case_for(request.user, case_pk)  # 404 first, whatever the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = GenerateForm(request.POST, templates=selectors.templates_for_case(case))
    if not form.is_valid():
        errors = [str(error) for field in form.errors.values() for error in field]
        messages.error(
            request, _("No document was generated: %(errors)s") % {"errors": " ".join(errors)}
        )
        return _back(case.pk)
    try:
        document = services.document_generate(
            case=case,
            template=form.cleaned_data["template"],
            actor=request.user,
            format=form.cleaned_data["format"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back(case.pk)
    messages.success(request, _("Document “%(name)s” generated.") % {"name": document.file_name})
    return _back(case.pk)


def download(request: HttpRequest, case_pk: int, generated_pk: int) -> HttpResponse:
    """A generated document, inline (or as a download with ?download=1), for the case's team."""
    document = selectors.get_generated_document_for(request.user, case_pk, generated_pk)
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404("The file is missing from storage.") from error
    record_read(agent=request.user, target=document.case, what=f"generated document {document.pk}")
    return FileResponse(
        handle,
        content_type=document.content_type,
        as_attachment=request.GET.get("download") == "1" or document.format == "docx",
        filename=document.file_name,
    )
