from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("dossiers/<int:case_pk>/documents/generer/", views.generate, name="generate"),
    path("dossiers/<int:case_pk>/documents/<int:generated_pk>/", views.download, name="download"),
]
