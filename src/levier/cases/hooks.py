"""Extension points that let the apps built on cases change its side effects without
cases importing them (documents builds on cases, not the other way round).

`status_email_overridden(case, status)` answers whether another app sends its own email
when `case` reaches `status`; `case_transition` then leaves its fixed email out. The
documents app sets it at start-up (email templates with a status).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Case

status_email_overridden: Callable[[Case, str], bool] | None = None


def status_email_is_overridden(case: Case, status: str) -> bool:
    return status_email_overridden is not None and status_email_overridden(case, status)
