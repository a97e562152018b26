"""Enquiries written by usagers on the portal, included under "ecrire/" in portal.urls."""

from django.urls import path

from . import enquiry_views

urlpatterns = [
    path("", enquiry_views.enquiry_new, name="enquiry_new"),
    path("envoyee/", enquiry_views.enquiry_sent, name="enquiry_sent"),
]
