"""levier.core.locking: lock the row, reload the caller's copy, refuse outside a transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from levier.cases.models import Case, CaseStatus
from levier.core.locking import lock_and_reload, locked
from levier.core.policy import NotFound
from tests.factories import AgentFactory, CaseFactory

pytestmark = pytest.mark.django_db


def test_the_caller_copy_is_reloaded_from_the_row(team):
    case = CaseFactory(procedure__team=team)
    colleague = AgentFactory(teams=[team])
    mine = Case.objects.get(pk=case.pk)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.IN_REVIEW, assignee=colleague)
    with locked(mine) as fresh:
        assert fresh is mine
        assert mine.status == CaseStatus.IN_REVIEW and mine.assignee_id == colleague.pk
        assert mine.assignee == colleague


def test_a_cached_relation_is_kept_when_its_id_did_not_change(team, django_assert_num_queries):
    case = CaseFactory(procedure__team=team)
    mine = Case.objects.select_related("procedure", "assignee").get(pk=case.pk)
    colleague = AgentFactory(teams=[team])
    Case.objects.filter(pk=case.pk).update(assignee=colleague)
    with transaction.atomic():
        with django_assert_num_queries(1):  # the locked read, nothing else
            lock_and_reload(mine)
            assert mine.procedure.name == case.procedure.name
        assert mine.assignee == colleague  # dropped (its id changed), loaded again


def test_a_deleted_row_is_not_found(team):
    case = CaseFactory(procedure__team=team)
    mine = Case.objects.get(pk=case.pk)
    Case.objects.filter(pk=case.pk).delete()
    with pytest.raises(NotFound), locked(mine):
        pass


@pytest.mark.django_db(transaction=True)  # no test transaction around it
def test_outside_a_transaction_it_refuses_on_every_database():
    # Refused before any query, SQLite included (where SELECT ... FOR UPDATE is a no-op).
    with pytest.raises(transaction.TransactionManagementError, match="locked"):
        lock_and_reload(Case(pk=1))
