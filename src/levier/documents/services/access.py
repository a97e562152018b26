"""The permission checks the document services share (levier.core.policy)."""

from __future__ import annotations

from typing import Any

from levier.cases.models import Case
from levier.core import policy


def check_may_configure(actor: Any) -> None:
    """Templates (documents and emails) are configured by administrators only."""
    policy.check_may(actor, policy.Action.CONFIGURE_TEMPLATES)


def check_may_see(actor: Any, case: Case) -> None:
    """Same rule as the case pages: a draft, or a case outside the agent's teams, does not
    exist."""
    policy.check_may_see(actor, case, what="case")
