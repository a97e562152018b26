"""Errors of the partners' API: one body for every 4xx, worded in the partner's language.

Every 4xx answer reads `{"detail": [{"field": ..., "message": ...}]}`, each message
naming the problem and the fix, and is kept as a RejectedRequest for an administrator
(see `keep_rejections`), so that nothing a partner sent is lost silently, within the
limits of refusal_limits.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from levier.core import policy

FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
EXCERPT_CHARS = 4000
VALUE_CHARS = 300


class ApiProblem(Exception):
    """An answer to refuse a request with: status, and (field, message) pairs."""

    def __init__(
        self,
        status: int,
        message: str = "",
        *,
        field: str | None = None,
        problems: Iterable[tuple[str | None, str]] = (),
        headers: dict[str, str] | None = None,
    ):
        self.status = status
        self.problems = [*problems] or [(field, message)]
        self.headers = headers or {}
        super().__init__(status, self.problems)


def problem_response(problem: ApiProblem) -> HttpResponse:
    body = {"detail": [{"field": field, "message": message} for field, message in problem.problems]}
    response = JsonResponse(body, status=problem.status, json_dumps_params={"ensure_ascii": False})
    for name, value in problem.headers.items():
        response[name] = value
    return response


# --- validation errors, worded -----------------------------------------------------------------


def _pydantic_message(error: dict[str, Any], field: str) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("“%(field)s” is required: add this field to the request.") % {"field": field}
    if kind == "string_too_long":
        return _("“%(field)s” is longer than %(max)s characters: shorten it.") % {
            "field": field,
            "max": ctx.get("max_length"),
        }
    if kind == "string_too_short":
        return _("“%(field)s” is empty: fill it in.") % {"field": field}
    if kind == "null_character":
        return _("“%(field)s” contains a null character (\\x00): remove it.") % {"field": field}
    if kind == "line_break":
        return _(
            "“%(field)s” contains a line break or a control character: write it on one line, "
            "without special characters."
        ) % {"field": field}
    if kind == "control_character":
        return _(
            "“%(field)s” contains a control character (escape, bell…): remove it; tabs and "
            "line breaks are accepted."
        ) % {"field": field}
    if kind in {"literal_error", "enum"}:
        return _("“%(field)s” must be one of: %(expected)s.") % {
            "field": field,
            "expected": ctx.get("expected", ""),
        }
    return _(
        "“%(field)s” has a wrong value (%(reason)s): correct it and send the request again."
    ) % {
        "field": field,
        "reason": error.get("msg", kind),
    }


def _field_of(error: dict[str, Any]) -> str:
    # ninja locates errors as (source, field, ...): ("form", "subject") or ("path", "reference").
    names = [str(part) for part in error.get("loc", ())[1:] if not isinstance(part, int)]
    return ".".join(names) or str(error.get("loc", ("?",))[-1])


def validation_problem(request: HttpRequest, exc: NinjaValidationError) -> ApiProblem:
    if request.method == "POST" and request.content_type not in FORM_TYPES:
        # A JSON body reads as a form with every field missing: say what is really wrong.
        return ApiProblem(
            415,
            _(
                "The request body is %(type)s: send it as multipart/form-data (curl -F), "
                "with the files in “files”."
            )
            % {"type": request.content_type or _("of no declared type")},
        )
    problems = []
    for error in exc.errors:
        field = _field_of(error)
        problems.append((field, _pydantic_message(error, field)))
    return ApiProblem(422, problems=problems)


def django_validation_problem(error: DjangoValidationError, status: int = 422) -> ApiProblem:
    if hasattr(error, "error_dict"):
        problems = [
            (None if name == "__all__" else name, message)
            for name, errors in error.error_dict.items()
            for message in DjangoValidationError(errors).messages
        ]
    else:
        problems = [(None, message) for message in error.messages]
    return ApiProblem(status, problems=problems)


# --- exception handlers ------------------------------------------------------------------------


def install_handlers(api: NinjaAPI) -> None:
    """Replace ninja's handlers: every refusal gets the same body, never a 500."""

    def handle(build: Callable[[HttpRequest, Any], ApiProblem]) -> Callable:
        def handler(request: HttpRequest, exc: Exception) -> HttpResponse:
            return problem_response(build(request, exc))

        return handler

    api.add_exception_handler(ApiProblem, handle(lambda request, exc: exc))
    api.add_exception_handler(NinjaValidationError, handle(validation_problem))
    api.add_exception_handler(
        DjangoValidationError, handle(lambda request, exc: django_validation_problem(exc))
    )
    api.add_exception_handler(
        AuthenticationError,
        handle(
            lambda request, exc: ApiProblem(
                401,
                _("Authentication required: send the header “Authorization: Bearer <token>”."),
                headers={"WWW-Authenticate": 'Bearer realm="levier"'},
            )
        ),
    )
    api.add_exception_handler(
        AuthorizationError,
        handle(lambda request, exc: ApiProblem(403, _("This token may not do this."))),
    )
    not_found = handle(
        lambda request, exc: ApiProblem(
            404, _("Nothing here: check the address against the API documentation.")
        )
    )
    api.add_exception_handler(Http404, not_found)
    # The permission policy's one error for missing and forbidden alike (a subclass of
    # Http404, named so that a service's refusal is visibly the API's JSON 404).
    api.add_exception_handler(policy.NotFound, not_found)
    api.add_exception_handler(
        HttpError, handle(lambda request, exc: ApiProblem(exc.status_code, str(exc)))
    )
    api.add_exception_handler(
        RequestDataTooBig,
        handle(
            lambda request, exc: ApiProblem(
                413,
                _("The form fields are too large: send the documents as files in “files”."),
            )
        ),
    )
    unreadable = handle(
        lambda request, exc: ApiProblem(
            400,
            _(
                "The request body cannot be read: send a well-formed multipart/form-data body "
                "(curl -F does it)."
            ),
        )
    )
    for kind in (MultiPartParserError, BadRequest, SuspiciousOperation):
        api.add_exception_handler(kind, unreadable)


# --- keeping refusals --------------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    text = text.replace("\x00", "\\x00")  # PostgreSQL text columns refuse NUL
    return text if len(text) <= limit else text[: limit - 1] + "…"


def payload_excerpt(request: HttpRequest) -> str:
    """What the partner sent, for an administrator: fields clipped, files by name and size."""
    lines = [f"Content-Type: {request.META.get('CONTENT_TYPE', '')}"]
    if request.content_type in FORM_TYPES:
        try:
            fields, files = request.POST, request.FILES
        except Exception:  # an unreadable body: its parse error is the reason kept
            return "\n".join([*lines, _("(unreadable body)")])
        for name, values in fields.lists():
            for value in values:
                lines.append(f"{name}: {_clip(value, VALUE_CHARS)}")
        for name, uploads in files.lists():
            for upload in uploads:
                lines.append(
                    _("%(name)s: [file] %(file)s (%(size)s bytes)")
                    % {"name": name, "file": upload.name, "size": upload.size}
                )
    elif request.method in {"POST", "PUT", "PATCH"}:
        try:
            body = request.body[:EXCERPT_CHARS]
        except Exception:  # too large or already streamed
            return "\n".join([*lines, _("(body not kept)")])
        lines.append(body.decode("utf-8", errors="replace"))
    return _clip("\n".join(lines), EXCERPT_CHARS)


def _reason(response: HttpResponse) -> str:
    try:
        detail = json.loads(response.content)["detail"]
        return "\n".join(
            f"{item['field']} : {item['message']}" if item.get("field") else item["message"]
            for item in detail
        )
    except (ValueError, KeyError, TypeError):
        return response.content.decode("utf-8", errors="replace")[:EXCERPT_CHARS]


def keep_rejections(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wraps each operation: answers in the default language (French), whatever the
    partner's Accept-Language, and stores a 4xx answer as a RejectedRequest, counted
    against the caller's refusals; a call throttled for too many refusals is not kept."""
    from .refusal_limits import client_address, count_refusal
    from .services import api_request_reject

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with translation.override(settings.LANGUAGE_CODE):
            return _answer(request, run(request, *args, **kwargs))

    def _answer(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if 400 <= response.status_code < 500 and not getattr(request, "api_throttled", False):
            client = getattr(request, "api_client", None)
            count_refusal(request, by_address=client is None)
            api_request_reject(
                client=client,
                client_address=client_address(request),
                token_prefix=getattr(request, "api_token_prefix", ""),
                method=request.method or "",
                path=_clip(request.path, 300),
                status_code=response.status_code,
                reason=_clip(_reason(response), EXCERPT_CHARS),
                payload_excerpt=payload_excerpt(request),
            )
        return response

    return wrapper
