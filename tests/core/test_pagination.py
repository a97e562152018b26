from django.http import QueryDict

from levier.cases.models import Case
from levier.core.pagination import keyset_page

from ..factories import CaseFactory


def test_pages_walk_forward_and_back_without_counting(db, django_assert_num_queries):
    cases = CaseFactory.create_batch(7)
    ids = sorted((c.pk for c in cases), reverse=True)
    with django_assert_num_queries(1):
        first = keyset_page(Case.objects.all(), QueryDict(""), size=3)
    assert [c.pk for c in first] == ids[:3]
    assert first.has_next and not first.has_previous

    second = keyset_page(Case.objects.all(), QueryDict(first.next_query), size=3)
    assert [c.pk for c in second] == ids[3:6]
    assert second.has_previous

    last = keyset_page(Case.objects.all(), QueryDict(second.next_query), size=3)
    assert [c.pk for c in last] == ids[6:]
    assert not last.has_next

    back = keyset_page(Case.objects.all(), QueryDict(last.previous_query), size=3)
    assert [c.pk for c in back] == ids[3:6]


def test_filters_are_kept_and_garbage_cursor_is_ignored(db):
    CaseFactory.create_batch(2)
    page = keyset_page(Case.objects.all(), QueryDict("status=open&after=abc"), size=1)
    assert len(page) == 1
    assert "status=open" in page.next_query
