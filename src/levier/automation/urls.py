from django.urls import path

from . import views

app_name = "automation"
urlpatterns = [
    path("", views.automation_list, name="list"),
]
