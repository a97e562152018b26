"""Public pages of campaigns, for usagers (no login)."""

from django.urls import path

from . import portal_views

app_name = "campaigns_portal"
urlpatterns = [
    path("<str:token>/", portal_views.unsubscribe, name="unsubscribe"),
]
