"""Responses about someone are never stored by the browser or a proxy."""

from django.utils.cache import add_never_cache_headers


class NoStoreForPersonalPagesMiddleware:
    """`Cache-Control: no-store` on what a signed-in agent or a verified usager sees.

    A shared computer's back button or a proxy must not show one person's cases to the
    next. Static files never get here (WhiteNoise answers them before); a view that set
    its own Cache-Control (public files such as the API documentation's assets) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        signed_in = user is not None and user.is_authenticated
        usager_session = session is not None and session.accessed and not session.is_empty()
        if signed_in or usager_session:
            add_never_cache_headers(response)
        return response
