"""Online procedures on the portal; included under the `portal` namespace at demarches/."""

from django.urls import path

from . import case_views

urlpatterns = [
    path("", case_views.procedure_list, name="procedures"),
    path("<slug:slug>/", case_views.case_new, name="case_new"),
    path("<slug:slug>/dossier-enregistre/", case_views.case_submitted, name="case_submitted"),
]
