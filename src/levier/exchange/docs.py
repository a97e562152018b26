"""The API's documentation page, with Swagger UI served from django-ninja's own package.

levier runs on closed networks: no asset may come from a CDN. django-ninja ships
Swagger UI's files in `ninja/static/ninja`, but renders its CDN template unless "ninja"
is in INSTALLED_APPS; this page serves those files itself, so it needs no setting.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

ASSETS_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {
    "swagger-ui-bundle.js",
    "swagger-ui-bundle.js.map",
    "swagger-ui-init.js",
    "swagger-ui.css",
    "swagger-ui.css.map",
    "favicon.svg",
    "favicon.png",
}
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".map": "application/json"}


class LocalSwagger(DocsBase):
    """Swagger UI from local files; `validatorUrl: null` keeps it from calling swagger.io."""

    settings: dict[str, Any] = {
        "layout": "BaseLayout",
        "deepLinking": True,
        "validatorUrl": None,
        "persistAuthorization": False,
    }

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        openapi_url = self.get_openapi_url(api, kwargs)
        context = {
            "api": api,
            "openapi_url": openapi_url,
            "swagger_settings": {**self.settings, "url": openapi_url},
            "asset_version": ninja.__version__,
            "asset_url": reverse(f"{api.urls_namespace}:docs-asset", args=["NAME"]).rsplit(
                "NAME", 1
            )[0],
        }
        return render(request, "exchange/api_docs.html", context)


@require_GET
@cache_control(public=True, max_age=86400)
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    """One of Swagger UI's files from django-ninja's package (a fixed list, no path walking)."""
    if name not in ASSETS:
        raise Http404(name)
    path = ASSETS_DIR / name
    content_type = CONTENT_TYPES.get(path.suffix) or mimetypes.guess_type(name)[0]
    return FileResponse(path.open("rb"), content_type=content_type)
