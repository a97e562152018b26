"""Agents' views: generate a document on a case, download a generated document, and the
mail merge (start one from the case list's filters, follow it, download its ZIP)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from levier.cases.forms import CaseFilterForm
from levier.cases.selectors import case_list_for, get_case_for, procedures_for
from levier.core.downloads import serve_stored_file
from levier.core.selectors import colleagues_of, teams_of
from levier.journal.services import record_exports, record_read

from . import merge, selectors, services
from .forms import GenerateForm, MergeForm
from .merge import MERGE_MAX_CASES
from .models import MergeStatus


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
    return serve_stored_file(
        request,
        document.file,
        content_type=document.content_type,
        as_attachment=request.GET.get("download") == "1" or document.format != "pdf",
        filename=document.file_name,
        on_read=lambda: record_read(
            agent=request.user, target=document.case, what=f"generated document {document.pk}"
        ),
    )


# ---------------------------------------------------------------------------
# Mail merge
# ---------------------------------------------------------------------------


def _case_filters(request: HttpRequest) -> tuple[CaseFilterForm, dict]:
    """The case list's filters from the query string, exactly as the list page reads them."""
    agent = request.user
    form = CaseFilterForm(
        request.GET or None,
        procedures=procedures_for(agent),
        teams=teams_of(agent),
        colleagues=colleagues_of(agent),
    )
    if form.is_bound:
        form.is_valid()
    return form, form.filters()


def merge_new(request: HttpRequest) -> HttpResponse:
    """Choose the template and format of a mail merge on the filtered cases; POST starts it."""
    if request.method not in {"GET", "HEAD", "POST"}:
        return HttpResponseNotAllowed(["GET", "POST"])
    filter_form, filters = _case_filters(request)
    procedure_id = filters["procedure_id"]
    templates = selectors.merge_templates_for(procedure_id)
    count = case_list_for(request.user, **filters).count() if procedure_id else 0
    form = MergeForm(request.POST if request.method == "POST" else None, templates=templates)
    if request.method == "POST" and procedure_id and form.is_valid():
        try:
            batch = services.merge_start(
                template=form.cleaned_data["template"],
                format=form.cleaned_data["format"],
                agent=request.user,
                filters=filters,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Mail merge started on %(count)s case(s).") % {"count": len(batch.case_ids)},
            )
            return redirect("documents:merge_detail", batch_pk=batch.pk)
    procedure = next(
        (choice for choice in filter_form.fields["procedure"].choices if choice[0] == procedure_id),
        None,
    )
    return render(
        request,
        "documents/merge_new.html",
        {
            "title": _("Mail merge"),
            "nav": "cases",
            "form": form,
            "procedure_name": procedure[1] if procedure else "",
            "has_procedure": bool(procedure_id),
            "count": count,
            "too_many": count > MERGE_MAX_CASES,
            "max_cases": MERGE_MAX_CASES,
            "has_templates": templates.exists(),
            "querystring": request.GET.urlencode(),
        },
        status=400 if form.errors else 200,
    )


def merge_detail(request: HttpRequest, batch_pk: int) -> HttpResponse:
    """A mail merge's progress; htmx refreshes the progress part every 2 s until done."""
    batch = selectors.get_merge_batch_for(request.user, batch_pk)
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    total = len(batch.case_ids)
    handled = batch.done_count + len(batch.failures)
    context = {
        "title": _("Mail merge"),
        "nav": "cases",
        "batch": batch,
        "total": total,
        "handled": handled,
        "percent": round(100 * handled / total) if total else 100,
        "finished": batch.status in {MergeStatus.DONE, MergeStatus.CANCELLED},
        "zip_withdrawn": bool(batch.zip_file) and merge.names_a_draft(batch),
    }
    if getattr(request, "htmx", False):
        return render(request, "documents/_merge_progress.html", context)
    return render(request, "documents/merge_detail.html", context)


def merge_download(request: HttpRequest, batch_pk: int) -> HttpResponse:
    """The ZIP of a finished mail merge."""
    batch = selectors.get_merge_batch_for(request.user, batch_pk)
    if request.method in {"GET", "HEAD"} and (
        batch.status != MergeStatus.DONE or not batch.zip_file
    ):
        raise Http404("The mail merge has no ZIP yet.")
    if merge.names_a_draft(batch):
        raise Http404("This ZIP was built with drafts: it is withdrawn.")
    return serve_stored_file(
        request,
        batch.zip_file,
        content_type="application/zip",
        as_attachment=True,
        filename=f"publipostage-{batch.pk}.zip",
        on_read=lambda: _journal_merge_download(request.user, batch),
    )


def _journal_merge_download(agent, batch) -> None:
    """The ZIP's read, and one export per case in it, so that each usager's history shows it."""
    record_read(agent=agent, target=batch, what="mail merge ZIP")
    failed = {str(failure.get("case_id")) for failure in batch.failures}
    record_exports(
        agent=agent,
        targets=[("cases.case", pk) for pk in batch.case_ids if str(pk) not in failed],
        what=f"mail merge ZIP {batch.pk}",
    )


# ---------------------------------------------------------------------------
# Emails on the case page
# ---------------------------------------------------------------------------


def _back_to_emails(case_pk: int) -> HttpResponse:
    return redirect(reverse("cases:detail", args=[case_pk]) + "#case-emails")


def email_send(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Send the usager an email from a template chosen on the case page."""
    from .emails import email_templates_for_case

    case = get_case_for(request.user, case_pk)  # 404 first, whatever the method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    chosen = request.POST.get("template", "")
    template = (
        email_templates_for_case(case).filter(pk=chosen).first() if chosen.isdigit() else None
    )
    if template is None:
        messages.error(request, _("No email was sent: choose one of the emails offered."))
        return _back_to_emails(case.pk)
    try:
        email = services.email_send_for_case(case=case, template=template, actor=request.user)
    except ValidationError as error:
        messages.error(
            request, _("No email was sent: %(errors)s") % {"errors": " ".join(error.messages)}
        )
        return _back_to_emails(case.pk)
    messages.success(
        request,
        _("The email “%(subject)s” is on its way to %(to)s.")
        % {"subject": email.subject, "to": email.to},
    )
    return _back_to_emails(case.pk)


def email_resend(request: HttpRequest, case_pk: int, email_pk: int) -> HttpResponse:
    """Send an email about the case again (a new outbox row)."""
    from levier.mailing.services import email_resend as resend

    from .emails import get_case_email_for

    case = get_case_for(request.user, case_pk)
    email = get_case_email_for(case, email_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        copy = resend(email=email, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _back_to_emails(case.pk)
    messages.success(
        request, _("The email “%(subject)s” will be sent again.") % {"subject": copy.subject}
    )
    return _back_to_emails(case.pk)
