"""Background work on enquiries. Each task calls a service; retrying it is harmless."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def warn_due_enquiries() -> int:
    """Warn about enquiries close to or past their deadline; each is warned once only."""
    return services.enquiries_warn_due()
