from django.urls import path

from . import time_saved_views, views

app_name = "insights"
urlpatterns = [
    path("processus/", views.process, name="process"),
    path("temps-gagne/", time_saved_views.time_saved_page, name="time_saved"),
    path("temps-gagne/adopter/", time_saved_views.adopt_standard, name="adopt_standard"),
    path("gestes/", time_saved_views.gestes, name="gestes"),
]
