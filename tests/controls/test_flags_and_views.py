"""Agents' side of controls: the case panel, results, friendly letters, the list, scoping."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from levier.controls.flags import flag_raise, flag_record_result, flag_send_advice
from levier.controls.models import Flag
from levier.journal.models import Event
from levier.mailing.models import OutboundEmail
from tests.factories import AgentFactory

from .conftest import housing_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged(housing):
    case = housing_case(housing)
    return flag_raise(
        case=case,
        source="anomaly",
        code="atypical",
        reasons=["Loyer mensuel déclaré : 5 200 €, alors que 90 % des foyers comparables déclarent entre 480 € et 810 €."],
        score=0.99,
    )  # fmt: skip


def test_the_case_page_shows_the_flag_with_its_reasons(agent_client, flagged):
    page = agent_client.get(reverse("cases:detail", args=[flagged.case_id]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="controls"' in html and "5 200 €" in html
    assert reverse("controls:result", args=[flagged.pk]) in html


def test_recording_a_result_is_journaled_and_changes_no_status(agent_client, flagged):
    response = agent_client.post(
        reverse("controls:result", args=[flagged.pk]), {"result": "not_confirmed", "note": ""}
    )
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.result == "not_confirmed" and flagged.controlled_by is not None
    assert flagged.case.status == "submitted"
    assert Event.objects.get(verb="control").activity_code == "control-case"


def test_a_confirmed_irregularity_needs_a_note(agent, flagged):
    with pytest.raises(ValidationError):
        flag_record_result(flag=flagged, result="confirmed", note=" ", actor=agent)
    with pytest.raises(ValidationError):
        flag_record_result(flag=flagged, result="guilty", actor=agent)


def test_a_bad_result_is_refused_with_a_message_not_a_crash(agent_client, flagged):
    response = agent_client.post(
        reverse("controls:result", args=[flagged.pk]), {"result": "confirmed"}, follow=True
    )
    assert response.status_code == 200
    assert "contester" in response.content.decode() or "contest" in response.content.decode()
    flagged.refresh_from_db()
    assert flagged.result == ""


def test_the_friendly_letter_goes_through_the_outbox_with_the_reasons(
    agent_client, flagged, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            reverse("controls:advice", args=[flagged.pk]), {"note": "Merci !"}
        )
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.advice == "sent"
    email = OutboundEmail.objects.get()
    assert "5 200 €" in email.body_text and "Merci !" in email.body_text
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [flagged.case.contact.email]
    assert Event.objects.get(verb="send-advice").activity_code == "send-advice-letter"
    again = agent_client.post(
        reverse("controls:advice", args=[flagged.pk]), {"note": ""}, follow=True
    )
    assert again.status_code == 200 and OutboundEmail.objects.count() == 1


def test_the_usager_correcting_after_the_letter_counts_as_good_faith(agent_client, agent, flagged):
    flag_send_advice(flag=flagged, actor=agent)
    agent_client.post(reverse("controls:advice_outcome", args=[flagged.pk]), {"state": "corrected"})
    flagged.refresh_from_db()
    assert (flagged.advice, flagged.result) == ("corrected", "good_faith")


def test_another_teams_agent_gets_a_404(client, other_team, flagged):
    client.force_login(AgentFactory(teams=[other_team]))
    assert (
        client.post(
            reverse("controls:result", args=[flagged.pk]), {"result": "not_confirmed"}
        ).status_code
        == 404
    )
    assert client.post(reverse("controls:advice", args=[flagged.pk])).status_code == 404
    assert client.post(reverse("controls:case_check", args=[flagged.case_id])).status_code == 404
    listing = client.get(reverse("controls:list"))
    assert listing.status_code == 200 and flagged.case.reference not in listing.content.decode()


def test_the_list_shows_flags_precision_against_the_baseline_and_territories(
    agent_client, agent, flagged, housing, monkeypatch
):
    monkeypatch.setattr("levier.controls.selectors.MIN_CASES_FOR_DISPARITY", 1)
    random_flag = flag_raise(
        case=housing_case(housing), source="random", code="random", reasons=["Tiré au sort"]
    )
    flag_record_result(flag=flagged, result="good_faith", actor=agent)
    flag_record_result(flag=random_flag, result="not_confirmed", actor=agent)
    page = agent_client.get(reverse("controls:list"), {"state": "all"})
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        flagged.case.reference in html and 'id="precision"' in html and 'id="territories"' in html
    )
    assert "69 Rhône" in html
    assert agent_client.get(reverse("controls:list"), {"source": "nonsense"}).status_code == 200


def test_checking_a_case_again_from_its_page(agent_client, housing):
    from levier.controls.models import DocumentCheck
    from levier.demo.pdfs import print_document

    from .conftest import attach, notice_spec

    case = housing_case(housing)
    attach(case, print_document(notice_spec(case, "18250.00")).content, "avis.pdf")
    response = agent_client.post(reverse("controls:case_check", args=[case.pk]), follow=True)
    assert response.status_code == 200
    assert DocumentCheck.objects.get(case=case).outcome == "matches"
    assert Event.objects.filter(verb="check-document", target_id=str(case.pk)).exists()


def test_the_register_is_public_and_generated_from_the_configuration(client, housing):
    from levier.controls.models import AnomalyModel, Rule

    AnomalyModel.objects.create(
        procedure=housing, inputs=["monthly_rent"], peer_group=["household_size"]
    )
    Rule.objects.create(procedure=housing, name="Plafond du loyer", kind="threshold",
                        parameters={"field": "monthly_rent", "operator": "<=", "value": "3000"})  # fmt: skip
    page = client.get(reverse("algorithms:register"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Loyer mensuel" in html and "Plafond du loyer" in html and housing.name in html
    data = client.get(reverse("algorithms:register"), {"format": "json"}).json()
    names = {entry["slug"] for entry in data["algorithms"]}
    assert {f"atypical-{housing.slug}", f"rules-{housing.slug}", f"documents-{housing.slug}",
            "enquiry-classification"} <= names  # fmt: skip


def test_flags_are_unique_per_case_and_code(flagged):
    again = flag_raise(
        case=flagged.case, source="anomaly", code="atypical", reasons=["x"], score=0.5
    )
    assert again.pk == flagged.pk and Flag.objects.count() == 1


def test_the_list_does_not_grow_its_queries_with_its_rows(
    agent_client, housing, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert agent_client.get(reverse("controls:list")).status_code == 200
        return len(captured)

    for _ in range(2):
        flag_raise(
            case=housing_case(housing), source="anomaly", code="atypical", reasons=["r"], score=0.9
        )
    few = queries()
    for _ in range(12):
        flag_raise(
            case=housing_case(housing), source="anomaly", code="atypical", reasons=["r"], score=0.9
        )
    assert queries() == few


def test_the_register_gives_the_last_run_in_paris_time(housing):
    import datetime

    from levier.controls.models import AnomalyModel
    from levier.controls.register import anomaly_entry

    model = AnomalyModel.objects.create(
        procedure=housing,
        inputs=["monthly_rent"],
        peer_group=["household_size"],
        last_run_at=datetime.datetime(2026, 12, 4, 23, 30, tzinfo=datetime.UTC),
    )
    # 23:30 UTC is 00:30 the next day in Paris, in winter
    assert anomaly_entry(model).last_run == "05/12/2026 00:30"
