"""Serving a stored file to an agent: the one way for uploads, generated documents, ZIPs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed

# A file a usager or a partner sent may hide a script (PDF JavaScript, an HTML page inside
# a PDF): the browser shows it as a unique origin with no script, no form, no plugin
# rights, framed by levier's own pages only. Set here, not by a global header, so that a
# site-wide CSP or X-Frame-Options: DENY does not break the same-origin preview.
UNTRUSTED_FILE_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'"
)


def serve_stored_file(
    request: HttpRequest,
    stored,
    *,
    filename: str,
    content_type: str,
    as_attachment: bool,
    on_read: Callable[[], object],
    untrusted: bool = False,
) -> HttpResponse:
    """`stored` (a FieldFile) for GET and HEAD; 405 for other methods, 404 when storage lost it.

    `on_read` journals the read, once the file is known to be there. The caller checks
    the agent may see the object before calling (404 first, whatever the method).
    `untrusted` (files sent from outside) adds the sandboxing headers; the view also
    carries `xframe_options_sameorigin` so that the case page may frame it.
    """
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404("The file is missing from storage.") from error
    on_read()
    response = FileResponse(
        handle, content_type=content_type, as_attachment=as_attachment, filename=filename
    )
    if untrusted:
        response["Content-Security-Policy"] = UNTRUSTED_FILE_CSP
        response["X-Content-Type-Options"] = "nosniff"
    return response
