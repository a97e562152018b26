"""levier's API for partners' front offices, mounted at /api/v1/.

Thin: parse the request, check the files, call one service, answer. Errors are worded
and kept in errors.py; tokens and scopes are checked in auth.py.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile as DjangoUploadedFile
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, re_path
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import File, Form, NinjaAPI, Status, UploadedFile

from levier.core.uploads import CheckedFile, check_upload
from levier.enquiries.models import Enquiry

from . import selectors
from .auth import PartnerToken
from .docs import LocalSwagger, docs_asset
from .errors import ApiProblem, install_handlers, keep_rejections, problem_response
from .schemas import (
    MAX_FILES,
    PERSON_OR_COMPANY,
    EnquiryCreated,
    EnquiryIn,
    EnquiryState,
    Problems,
    TopicOut,
)
from .services import Flooded, PartnerEnquiry, api_enquiry_submit

FILE_FIELDS = ("files", "files[]")  # "files[]" for clients written in PHP


class PartnerAPI(NinjaAPI):
    """NinjaAPI whose views skip the agents' login (tokens authenticate partners) and
    which serves its documentation's assets itself."""

    def _get_urls(self) -> list:
        urls = [
            path("docs/assets/<str:name>", docs_asset, name="docs-asset"),
            *super()._get_urls(),
            # Last: any other address under /api/v1/ (a reference with a slash…) answers
            # the API's JSON 404, as the schema declares, not Django's HTML page.
            re_path(r"^.*$", unknown_address, name="unknown-address"),
        ]
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                login_not_required(pattern.callback)
        return urls


def unknown_address(request: HttpRequest) -> HttpResponse:
    with translation.override(settings.LANGUAGE_CODE):
        return problem_response(
            ApiProblem(404, _("Nothing here: check the address against the API documentation."))
        )


api = PartnerAPI(
    title="levier",
    version="1",
    urls_namespace="api_v1",
    description=gettext_lazy(
        "Partners' front offices (France Services, town halls, other administrations) "
        "create enquiries in levier and follow them. Authenticate with the header "
        "“Authorization: Bearer <token>” given by the levier administrator."
    ),
    docs=LocalSwagger(),
)
install_handlers(api)
api.add_decorator(keep_rejections, mode="view")

ERRORS = {code: Problems for code in (400, 401, 403, 404, 413, 415, 422, 429)}


def _checked_files(request: HttpRequest) -> list[CheckedFile]:
    """The attachments, checked one by one: 413 for one too large, 422 for a bad one."""
    stray = [name for name in request.FILES if name not in FILE_FIELDS]
    if stray:
        raise ApiProblem(
            422,
            _("Files were sent in “%(fields)s”: send every attachment in “files”.")
            % {"fields": ", ".join(stray)},
            field=stray[0],
        )
    uploads: list[DjangoUploadedFile] = [
        upload for name in FILE_FIELDS for upload in request.FILES.getlist(name)
    ]
    if len(uploads) > MAX_FILES:
        raise ApiProblem(
            422,
            _("%(count)d files were sent; at most %(max)d are accepted: merge some into one PDF.")
            % {"count": len(uploads), "max": MAX_FILES},
            field="files",
        )
    checked = []
    for upload in uploads:
        try:
            checked.append(check_upload(upload))
        except ValidationError as error:
            too_large = (upload.size or 0) > settings.LEVIER_UPLOAD_MAX_BYTES
            status = 413 if too_large else 422
            raise ApiProblem(status, " ".join(error.messages), field="files") from error
    return checked


def _created(enquiry: Enquiry, outcome: str) -> dict:
    return {
        "reference": enquiry.reference,
        "status": enquiry.status,
        "topic": enquiry.topic.slug if enquiry.topic else None,
        "team": enquiry.team.name,
        "created": outcome == "created",
        "outcome": outcome,
    }


@api.post(
    "/enquiries",
    auth=PartnerToken("enquiries:write"),
    response={201: EnquiryCreated, 200: EnquiryCreated, **ERRORS},
    summary=gettext_lazy("Create an enquiry"),
    description=gettext_lazy(
        "multipart/form-data body. Scope enquiries:write. 201: the message was taken "
        "(a new enquiry, or added to the usager's open enquiry on the same subject). 200: "
        "this external_id was already received; the first result is returned and nothing "
        "is created. At most 5 files (PDF, JPEG, PNG, TXT, ODT, DOCX), checked on their content."
    ),
    tags=["enquiries"],
    openapi_extra={
        "requestBody": {"content": {"multipart/form-data": {"schema": PERSON_OR_COMPANY}}}
    },
)
def create_enquiry(
    request: HttpRequest,
    data: Form[EnquiryIn],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]  # read in _checked_files
) -> Status:
    client = request.auth  # type: ignore[attr-defined]
    earlier = selectors.earlier_submission(client=client, external_id=data.external_id.strip())
    if earlier is not None:  # a retry: answer before checking files again
        return Status(200, _created(earlier, "repeated"))
    partner_enquiry = PartnerEnquiry(
        kind=data.kind,
        subject=data.subject,
        message=data.message,
        email=data.email,
        first_name=data.first_name,
        last_name=data.last_name,
        legal_name=data.legal_name,
        siret=data.siret,
        phone=data.phone,
        topic=data.topic.strip(),
        external_id=data.external_id.strip(),
        attachments=_checked_files(request),
    )
    try:
        result = api_enquiry_submit(client=client, data=partner_enquiry)
    except Flooded as flood:
        raise ApiProblem(
            429, flood.message, field="email", headers={"Retry-After": str(flood.retry_after)}
        ) from flood
    return Status(
        200 if result.outcome == "repeated" else 201, _created(result.enquiry, result.outcome)
    )


@api.get(
    "/enquiries/{reference}",
    auth=PartnerToken("enquiries:read"),
    response={200: EnquiryState, **ERRORS},
    summary=gettext_lazy("Follow an enquiry"),
    description=gettext_lazy(
        "Scope enquiries:read. Only the enquiries this client sent; any other reference "
        "answers 404."
    ),
    tags=["enquiries"],
)
def get_enquiry(request: HttpRequest, reference: str) -> dict:
    enquiry = selectors.enquiry_for_client(client=request.auth, reference=reference)  # type: ignore[attr-defined]
    if enquiry is None:
        raise ApiProblem(
            404,
            _("No enquiry “%(reference)s” among those this client sent: check the reference.")
            % {"reference": reference[:30].replace("\x00", "")},
            field="reference",
        )
    return {
        "reference": enquiry.reference,
        "status": enquiry.status,
        "status_label": str(enquiry.get_status_display()),
        "topic": enquiry.topic.slug if enquiry.topic else None,
        "team": enquiry.team.name,
        "created_at": enquiry.created_at,
        "updated_at": enquiry.updated_at,
        "answer_due_at": enquiry.sla_due_at,
        "closed_at": enquiry.closed_at,
        "messages": enquiry.message_count,
    }


@api.get(
    "/topics",
    auth=PartnerToken("topics:read"),
    response={200: list[TopicOut], **ERRORS},
    summary=gettext_lazy("List the topics"),
    description=gettext_lazy("Scope topics:read. The slugs accepted in the “topic” field."),
    tags=["topics"],
)
def list_topics(request: HttpRequest) -> list[dict]:
    return list(selectors.topics().values("slug", "label"))
