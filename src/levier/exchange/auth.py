"""Bearer tokens of the partners' API, and the scope each endpoint asks for."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from . import selectors
from .errors import ApiProblem
from .models import TOKEN_PREFIX_LENGTH, ApiClient
from .refusal_limits import refuse_if_over_limit, remember_presented_token
from .services import TOKEN_START, token_hash

# last_used_at is written at most this often per client, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def _unauthorized(message: str) -> ApiProblem:
    return ApiProblem(401, message, headers={"WWW-Authenticate": 'Bearer realm="levier"'})


def authenticate_token(token: str) -> ApiClient:
    """The client a token belongs to; compares hashes in constant time."""
    token = token.strip()
    if not token.startswith(TOKEN_START) or len(token) <= TOKEN_PREFIX_LENGTH:
        raise _unauthorized(
            _("The token is malformed: levier tokens start with “lev_”. Copy it again in full.")
        )
    wanted = token_hash(token)
    found = None
    for client in selectors.clients_with_prefix(token[:TOKEN_PREFIX_LENGTH]):
        if hmac.compare_digest(client.token_hash, wanted):
            found = client
    if found is None:
        raise _unauthorized(
            _(
                "Unknown token: check that it was copied in full, or ask the levier administrator for a new one."
            )
        )
    if not found.is_active:
        raise _unauthorized(
            _("This token was revoked: ask the levier administrator for a new one.")
        )
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_PRECISION:
        ApiClient.objects.filter(pk=found.pk).mark_used(now=now)
    return found


class PartnerToken(HttpBearer):
    """`Authorization: Bearer lev_…`, and the scope the endpoint needs (403 without it)."""

    def __init__(self, scope: str):
        super().__init__()
        self.scope = scope

    def __call__(self, request: HttpRequest) -> ApiClient:
        header = request.headers.get("Authorization", "")
        scheme, _space, token = header.strip().partition(" ")
        remember_presented_token(request, token if scheme.lower() == "bearer" else "")
        try:
            client = self._client(request, header, scheme, token)
        except ApiProblem as refusal:
            if refusal.status == 401:  # no valid token: limited by address and token too
                refuse_if_over_limit(request, by_address=True)
            raise
        return client

    def _client(self, request: HttpRequest, header: str, scheme: str, token: str) -> ApiClient:
        if not header:
            raise _unauthorized(
                _("Authentication required: send the header “Authorization: Bearer <token>”.")
            )
        if scheme.lower() != "bearer" or not token.strip():
            raise _unauthorized(
                _(
                    "The Authorization header must read “Bearer <token>”, with the token given by levier."
                )
            )
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient:
        client = authenticate_token(token)
        request.api_client = client  # type: ignore[attr-defined]  # for the refusal log
        refuse_if_over_limit(request, by_address=False)  # this token's own refusals
        if not client.has_scope(self.scope):
            raise ApiProblem(
                403,
                _(
                    "This token lacks the scope “%(scope)s”: ask the levier administrator to "
                    "add it to the client “%(client)s”."
                )
                % {"scope": self.scope, "client": client.name},
            )
        return client
