from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("", views.usager_search, name="search"),
    path("usagers/<int:contact_id>/", views.usager_reads, name="usager"),
    path("usagers/<int:contact_id>/consultations.csv", views.usager_reads_csv, name="usager_csv"),
]
