"""Serving a stored file to an agent: the one way for uploads, generated documents, ZIPs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed


def serve_stored_file(
    request: HttpRequest,
    stored,
    *,
    filename: str,
    content_type: str,
    as_attachment: bool,
    on_read: Callable[[], object],
) -> HttpResponse:
    """`stored` (a FieldFile) for GET and HEAD; 405 for other methods, 404 when storage lost it.

    `on_read` journals the read, once the file is known to be there. The caller checks
    the agent may see the object before calling (404 first, whatever the method).
    """
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404("The file is missing from storage.") from error
    on_read()
    return FileResponse(
        handle, content_type=content_type, as_attachment=as_attachment, filename=filename
    )
