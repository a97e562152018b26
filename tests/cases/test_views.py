"""Agents' case pages: list with filters, case page, documents, actions; scoping; query counts."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from levier.cases.models import CaseStatus, SupportingDocument
from levier.core.models import Notification
from levier.journal.models import Event
from tests.factories import AgentFactory, CaseFactory, ContactFactory, ProcedureFactory

from .conftest import FULL_SCHEMA, make_pdf, make_png

pytestmark = pytest.mark.django_db


def add_document(case, name, content, content_type, field_name="", pages=None):
    import hashlib

    document = SupportingDocument(
        case=case,
        field_name=field_name,
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        page_count=pages,
    )
    document.file.save(name, ContentFile(content), save=True)
    return document


@pytest.fixture
def rich_case(team):
    procedure = ProcedureFactory(team=team, field_schema=FULL_SCHEMA)
    case = CaseFactory(
        procedure=procedure,
        in_review=True,
        contact=ContactFactory(company=True, email="contact@boulangerie.fr"),
        data={
            "project": "Vitrine",
            "amount": "1234.56",
            "start_date": "2026-03-01",
            "sector": "artisanat",
            "site": {"street": "1 rue X", "postal_code": "69001", "city": "Lyon"},
        },
    )
    add_document(case, "devis.pdf", make_pdf(2), "application/pdf", field_name="quote", pages=2)
    add_document(case, "local.png", make_png(), "image/png", field_name="photo")
    return case


# ---------------------------------------------------------------------------
# List
# ---------------------------------------------------------------------------


def test_the_list_shows_the_teams_cases_only(agent_client, team, other_team):
    mine = CaseFactory(procedure=ProcedureFactory(team=team))
    theirs = CaseFactory(procedure=ProcedureFactory(team=other_team))
    response = agent_client.get(reverse("cases:list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert mine.reference in content and theirs.reference not in content
    assert response.context["nav"] == "cases"


def test_the_list_filters(agent_client, agent, team):
    procedure = ProcedureFactory(team=team)
    other_procedure = ProcedureFactory(team=team)
    now = timezone.now()
    overdue = CaseFactory(
        procedure=procedure, in_review=True, due_at=now - datetime.timedelta(days=1)
    )
    soon = CaseFactory(procedure=procedure, due_at=now + datetime.timedelta(days=2), assignee=agent)
    later = CaseFactory(procedure=other_procedure, submitted_at=now - datetime.timedelta(days=40))
    accepted = CaseFactory(
        procedure=procedure,
        status=CaseStatus.ACCEPTED,
        contact=ContactFactory(company=True, legal_name="Fournil Éclair"),
    )

    def refs(**params):
        response = agent_client.get(reverse("cases:list"), params)
        assert response.status_code == 200
        return {case.reference for case in response.context["page"]}

    assert refs(status="open") == {overdue.reference, soon.reference, later.reference}
    assert refs(status="accepted") == {accepted.reference}
    assert refs(sla="overdue") == {overdue.reference}
    assert refs(sla="due_soon") == {soon.reference}
    assert refs(assignee="me") == {soon.reference}
    assert refs(assignee=str(agent.pk)) == {soon.reference}
    assert refs(procedure=str(other_procedure.pk)) == {later.reference}
    assert refs(team=str(team.pk)) == {
        overdue.reference,
        soon.reference,
        later.reference,
        accepted.reference,
    }
    assert refs(q="fournil eclair") == {accepted.reference}
    assert refs(q=accepted.contact.siret) >= {accepted.reference}
    assert refs(q=overdue.reference) == {overdue.reference}
    assert refs(q=overdue.contact.email) == {overdue.reference}
    start = (now - datetime.timedelta(days=41)).date().isoformat()
    end = (now - datetime.timedelta(days=39)).date().isoformat()
    assert refs(submitted_from=start, submitted_to=end) == {later.reference}


def test_bad_filters_show_an_error_not_a_500(agent_client, team):
    CaseFactory(procedure=ProcedureFactory(team=team))
    response = agent_client.get(
        reverse("cases:list"),
        {"submitted_from": "hier", "status": "lost", "team": "999", "after": "x"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"submitted_from", "status", "team"} <= set(form.errors)
    response = agent_client.get(
        reverse("cases:list"), {"submitted_from": "2026-02-01", "submitted_to": "2026-01-01"}
    )
    assert "submitted_to" in response.context["form"].errors


def test_the_list_paginates_by_keyset(agent_client, team):
    procedure = ProcedureFactory(team=team)
    cases = [CaseFactory(procedure=procedure) for _ in range(30)]
    first = agent_client.get(reverse("cases:list"))
    page = first.context["page"]
    assert len(page) == 25 and page.has_next
    second = agent_client.get(reverse("cases:list") + "?" + page.next_query)
    assert {c.reference for c in second.context["page"]} == {c.reference for c in cases[:5]}


def list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:list"), {"status": "open", "q": "dupont"})
    assert response.status_code == 200
    return len(queries)


def test_the_list_query_count_does_not_grow_with_rows(
    agent_client, agent, team, django_assert_max_num_queries
):
    procedure = ProcedureFactory(team=team)
    for _ in range(5):
        CaseFactory(procedure=procedure, assignee=agent)
    with django_assert_max_num_queries(12):
        few = list_queries(agent_client)
    for _ in range(25):
        CaseFactory(procedure=ProcedureFactory(team=team), assignee=AgentFactory(teams=[team]))
    with django_assert_max_num_queries(12):
        many = list_queries(agent_client)
    assert few == many


# ---------------------------------------------------------------------------
# Case page
# ---------------------------------------------------------------------------


def test_the_case_page_shows_data_documents_contact_and_history(agent_client, agent, rich_case):
    from levier.cases import services

    services.case_comment(case=rich_case, author=agent, body="Dossier complet.")
    response = agent_client.get(reverse("cases:detail", args=[rich_case.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Montant demandé" in content and "1\u202f234,56\u00a0€" in content
    assert "01/03/2026" in content and "Artisanat" in content
    pdf_url = reverse(
        "cases:document", args=[rich_case.pk, rich_case.documents.get(field_name="quote").pk]
    )
    png_url = reverse(
        "cases:document", args=[rich_case.pk, rich_case.documents.get(field_name="photo").pk]
    )
    assert (
        f'<img class="fr-responsive-img levier-page-preview fr-mb-1w" src="{pdf_url}page-1.png"'
        in content
    )
    assert f'<img class="fr-responsive-img" src="{png_url}"' in content
    assert rich_case.contact.legal_name in content and "contact@boulangerie.fr" in content
    assert "Dossier complet." in content
    assert response.context["nav"] == "cases"
    assert (
        "Données déclarées" in content and "Publier le commentaire" in content
    )  # French by default
    choices = [
        value for value, _label in response.context["transition_form"].fields["to_status"].choices
    ]
    assert choices == ["waiting_for_usager", "accepted", "refused", "closed_without_follow_up"]
    read = Event.objects.get(verb="read", target_id=str(rich_case.pk))
    assert read.payload == {"what": "case"} and read.actor_id == str(agent.pk)
    assert [entry.title for entry in response.context["timeline"]]  # the comment is in the history


def test_a_closed_case_offers_no_status_change(agent_client, team):
    case = CaseFactory(procedure=ProcedureFactory(team=team), status=CaseStatus.REFUSED)
    response = agent_client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    assert not response.context["has_transitions"]


def test_documents_are_served_inline_with_their_sniffed_type(agent_client, rich_case):
    pdf = rich_case.documents.get(field_name="quote")
    response = agent_client.get(reverse("cases:document", args=[rich_case.pk, pdf.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="devis.pdf"')
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    png = rich_case.documents.get(field_name="photo")
    response = agent_client.get(
        reverse("cases:document", args=[rich_case.pk, png.pk]) + "?download=1"
    )
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment")


def test_a_document_of_another_case_is_a_404(agent_client, team, rich_case):
    other = CaseFactory(procedure=ProcedureFactory(team=team))
    pdf = rich_case.documents.get(field_name="quote")
    assert agent_client.get(reverse("cases:document", args=[other.pk, pdf.pk])).status_code == 404


# ---------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------


def test_take_the_case(agent_client, agent, rich_case):
    response = agent_client.post(reverse("cases:assign", args=[rich_case.pk]), {"take": "1"})
    assert response.status_code == 302 and response.url == reverse(
        "cases:detail", args=[rich_case.pk]
    )
    rich_case.refresh_from_db()
    assert rich_case.assignee == agent


def test_assign_to_a_colleague_and_back_to_the_queue(agent_client, team, rich_case):
    colleague = AgentFactory(teams=[team])
    response = agent_client.post(
        reverse("cases:assign", args=[rich_case.pk]), {"assignee": colleague.pk}, follow=True
    )
    rich_case.refresh_from_db()
    assert rich_case.assignee == colleague
    assert any(str(colleague) in str(m) for m in response.context["messages"])
    assert Notification.objects.filter(agent=colleague).exists()
    agent_client.post(reverse("cases:assign", args=[rich_case.pk]), {"assignee": ""})
    rich_case.refresh_from_db()
    assert rich_case.assignee is None


def test_assign_to_an_outsider_is_refused_on_the_field(agent_client, other_agent, rich_case):
    response = agent_client.post(
        reverse("cases:assign", args=[rich_case.pk]), {"assignee": other_agent.pk}
    )
    assert response.status_code == 400
    assert "assignee" in response.context["assign_form"].errors


def test_a_manager_outside_the_team_cannot_take_a_case(client, team, rich_case):
    manager = AgentFactory(manager=True)
    client.force_login(manager)
    response = client.post(reverse("cases:assign", args=[rich_case.pk]), {"take": "1"})
    assert response.status_code == 400
    assert response.context["assign_form"].errors


def test_change_the_status(agent_client, rich_case):
    response = agent_client.post(
        reverse("cases:transition", args=[rich_case.pk]),
        {"to_status": "accepted", "reason": ""},
        follow=True,
    )
    assert response.status_code == 200
    rich_case.refresh_from_db()
    assert rich_case.status == CaseStatus.ACCEPTED
    assert list(response.context["messages"])


def test_refusing_without_a_reason_shows_the_error_on_the_reason(agent_client, rich_case):
    response = agent_client.post(
        reverse("cases:transition", args=[rich_case.pk]), {"to_status": "refused", "reason": ""}
    )
    assert response.status_code == 400
    assert "reason" in response.context["transition_form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    rich_case.refresh_from_db()
    assert rich_case.status == CaseStatus.IN_REVIEW


def test_a_status_not_allowed_from_here_is_a_field_error(agent_client, rich_case):
    response = agent_client.post(
        reverse("cases:transition", args=[rich_case.pk]), {"to_status": "draft"}
    )
    assert response.status_code == 400
    assert "to_status" in response.context["transition_form"].errors


def test_comment_with_a_mention(agent_client, team, rich_case):
    colleague = AgentFactory(username="sacha", teams=[team])
    response = agent_client.post(
        reverse("cases:comment", args=[rich_case.pk]), {"body": "@sacha tu peux regarder ?"}
    )
    comment = rich_case.comments.get()
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", args=[rich_case.pk]) + f"#comment-{comment.pk}"
    notification = Notification.objects.get(agent=colleague)
    assert notification.url.endswith(f"#comment-{comment.pk}")


def test_an_empty_comment_is_a_field_error(agent_client, rich_case):
    response = agent_client.post(reverse("cases:comment", args=[rich_case.pk]), {"body": "  "})
    assert response.status_code == 400
    assert "body" in response.context["comment_form"].errors


def test_actions_answer_only_post(agent_client, rich_case):
    for name in ("cases:assign", "cases:transition", "cases:comment"):
        assert agent_client.get(reverse(name, args=[rich_case.pk])).status_code == 405


# ---------------------------------------------------------------------------
# Scoping: another team's agent gets a 404 everywhere
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method", "data"),
    [
        ("cases:detail", "get", None),
        ("cases:document", "get", None),
        ("cases:assign", "post", {"take": "1"}),
        ("cases:transition", "post", {"to_status": "accepted"}),
        ("cases:comment", "post", {"body": "Bonjour"}),
    ],
)
def test_another_teams_agent_gets_a_404(client, other_agent, rich_case, name, method, data):
    client.force_login(other_agent)
    args = (
        [rich_case.pk, rich_case.documents.first().pk]
        if name == "cases:document"
        else [rich_case.pk]
    )
    response = getattr(client, method)(reverse(name, args=args), data)
    assert response.status_code == 404
    rich_case.refresh_from_db()
    assert rich_case.status == CaseStatus.IN_REVIEW and rich_case.assignee is None
    assert not rich_case.comments.exists()


def test_a_missing_case_is_the_same_404(agent_client):
    assert agent_client.get(reverse("cases:detail", args=[999999])).status_code == 404


def test_pages_need_a_login(client, rich_case):
    response = client.get(reverse("cases:detail", args=[rich_case.pk]))
    assert response.status_code == 302 and "connexion" in response.url


def test_the_case_page_answers_only_get(agent_client, rich_case):
    assert agent_client.post(reverse("cases:detail", args=[rich_case.pk])).status_code == 405


def test_the_case_page_query_count_does_not_grow_with_documents_and_comments(
    agent_client, agent, rich_case, django_assert_max_num_queries
):
    from levier.cases import services

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(reverse("cases:detail", args=[rich_case.pk])).status_code == 200
        return len(queries)

    services.case_comment(case=rich_case, author=agent, body="@camille premier passage")
    before = page_queries()
    for number in range(5):
        services.case_comment(case=rich_case, author=agent, body=f"Remarque {number}")
        add_document(rich_case, f"annexe{number}.png", make_png(), "image/png")
    with django_assert_max_num_queries(before):
        page_queries()


def test_missing_required_documents_are_flagged(agent_client, team):
    procedure = ProcedureFactory(team=team, field_schema=FULL_SCHEMA)
    case = CaseFactory(procedure=procedure, data={"project": "Vitrine", "amount": "10.00"})
    response = agent_client.get(reverse("cases:detail", args=[case.pk]))
    assert response.context["missing_documents"] == ["Devis"]  # the photo is optional
