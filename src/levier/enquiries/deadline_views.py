"""Placeholder, replaced by its implementation."""

from django.http import Http404


def _missing(request, *args, **kwargs):
    raise Http404
enquiry_deadlines = _missing
