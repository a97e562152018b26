"""Usager portal: no login; a case or an enquiry is followed with its reference and code."""

from django.urls import include, path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("suivi/", views.follow, name="follow"),
    # Case submission on published procedures (portal/case_views.py).
    path("demarches/", include("levier.portal.case_urls")),
    # Enquiries written to the administration (portal/enquiry_views.py).
    path("ecrire/", include("levier.portal.enquiry_urls")),
]
