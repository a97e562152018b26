"""The partners' API, version 1 (mounted at /api/v1/); its URL names live in "api_v1"."""

from django.urls import path

from .api import api

urlpatterns = [path("", api.urls)]
