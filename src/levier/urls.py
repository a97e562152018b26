from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("levier.core.urls")),
    path("dossiers/", include("levier.cases.urls")),
    path("", include("levier.documents.urls")),
    path("sollicitations/", include("levier.enquiries.urls")),
    path("controles/", include("levier.controls.urls")),
    path("algorithmes/", include("levier.controls.public_urls")),
    path("campagnes/", include("levier.campaigns.urls")),
    path("protection-des-donnees/", include("levier.privacy.urls")),
    path("automatisations/", include("levier.automation.urls")),
    path("pilotage/", include("levier.insights.urls")),
    path("usager/desabonnement/", include("levier.campaigns.portal_urls")),
    path("usager/", include("levier.portal.urls")),
    path("api/v1/", include("levier.exchange.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
