"""levier's URLs plus one view that, like a document preview, sets its own framing headers."""

from django.http import HttpResponse
from django.urls import include, path


def framed_preview(request):
    response = HttpResponse(b"%PDF-1.7 preview", content_type="application/pdf")
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'self'"
    return response


urlpatterns = [
    path("test-apercu/", framed_preview),
    path("", include("levier.urls")),
]
