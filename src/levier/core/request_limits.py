"""Refusing a request body that is too large before it is stored.

Two guards, both reading settings.LEVIER_REQUEST_MAX_BYTES and LEVIER_UPLOAD_MAX_BYTES:
- `request_size_limit_middleware` answers 413 from the declared Content-Length, before
  a byte of the body is read (Django never reads past Content-Length);
- `BoundedUploadHandler`, first of FILE_UPLOAD_HANDLERS, counts the bytes while the
  multipart body is parsed: it stops the request past the total limit, and stores at
  most one byte more than the per-file limit of each file, so core.uploads.check_upload
  refuses the oversized file by name while the other files and fields are kept.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _declared_length(request: HttpRequest) -> int:
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return 0


def too_large_response(request: HttpRequest) -> HttpResponse:
    limit = filesizeformat(settings.LEVIER_REQUEST_MAX_BYTES)
    message = _(
        "What you sent is larger than %(limit)s in all, the limit for one sending. "
        "Send fewer or lighter files (scan in lower resolution, or split them), then send again."
    ) % {"limit": limit}
    if request.path.startswith(API_PREFIX):
        # The partners' API error body (exchange/errors.py): {"detail": [{field, message}]}.
        body = {"detail": [{"field": None, "message": message}]}
        return JsonResponse(body, status=413, json_dumps_params={"ensure_ascii": False})
    context = {"title": _("Sending too large"), "message": message}
    return render(request, "core/request_too_large.html", context, status=413)


def request_size_limit_middleware(get_response):
    def middleware(request: HttpRequest) -> HttpResponse:
        if _declared_length(request) > settings.LEVIER_REQUEST_MAX_BYTES:
            return too_large_response(request)
        return get_response(request)

    return middleware


class BoundedUploadHandler(FileUploadHandler):
    """Counts the body while it is read; keeps at most limit + 1 bytes of each file."""

    def __init__(self, request=None):
        super().__init__(request)
        self.total = 0
        self.file_limit = settings.LEVIER_UPLOAD_MAX_BYTES

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length > settings.LEVIER_REQUEST_MAX_BYTES:
            raise RequestDataTooBig("The request body is larger than LEVIER_REQUEST_MAX_BYTES.")

    def receive_data_chunk(self, raw_data, start):
        self.total += len(raw_data)
        if self.total > settings.LEVIER_REQUEST_MAX_BYTES:
            raise RequestDataTooBig("The request body is larger than LEVIER_REQUEST_MAX_BYTES.")
        keep = self.file_limit + 1 - start
        if keep <= 0:
            return None  # past the limit: the next handlers store nothing more of this file
        return raw_data[:keep]

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) builds the file
