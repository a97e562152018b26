"""Entry points of controls: check a case now, on submission, and score in batch.

The writes themselves live by subject: `document_checks` (reading and comparing
documents), `rule_checks` (the procedure's rules), `batch_scoring` (atypical
declarations and the random baseline) and `flags` (agents' results and letters).
"""

from __future__ import annotations

from typing import Any

from levier.cases.models import Case, CaseStatus
from levier.cases.services import check_may_see

from .document_checks import ROBOT, case_check_documents
from .rule_checks import rules_evaluate


def case_check_now(*, case: Case, actor: Any = ROBOT) -> dict[str, int]:
    """Check every document of the case and evaluate its procedure's rules.

    A draft is left alone: its usager has not submitted it, so nothing is read, stored or
    flagged until they do (the submission queues its check).
    """
    check_may_see(actor, case)
    if case.status == CaseStatus.DRAFT:
        return {"documents": 0, "rules": 0}
    checks = case_check_documents(case=case, actor=actor)
    results = rules_evaluate(case=case, actor=actor)
    return {"documents": len(checks), "rules": len(results)}
