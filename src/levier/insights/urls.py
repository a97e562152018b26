from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("processus/", views.process, name="process"),
    path("carte/", views.departement_map, name="map"),
]
