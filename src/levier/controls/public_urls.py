from django.urls import path

from . import register_views

app_name = "algorithms"
urlpatterns = [path("", register_views.algorithm_register_view, name="register")]
