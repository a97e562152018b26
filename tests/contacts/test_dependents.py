"""Apps that own rows pointing at a contact keep them right when it is merged or renamed:
contacts sends `contact_merged` and `contact_changed`, each owner moves or refreshes its own."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from levier.campaigns.models import Campaign, CampaignRecipient, RecipientStatus, Unsubscription
from levier.contacts.models import Contact
from levier.contacts.services import contact_merge, contact_update
from levier.journal.models import Event
from levier.mailing.models import OutboundEmail
from tests.factories import (
    CaseFactory,
    ContactFactory,
    EnquiryFactory,
    ProcedureFactory,
    TopicFactory,
)

from .test_admin import person_data


def contact_foreign_keys() -> list[models.Field]:
    """Every concrete FK or one-to-one to Contact, outside contacts itself (proxies aside)."""
    return [
        field
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.app_label != "contacts"
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is Contact
    ]


def one_row_pointing_at(contact: Contact, case, agent, label: str) -> models.Model:
    """One row of `label` pointing at `contact`; add a builder here for a new model."""
    if label == "cases.Case":
        return CaseFactory(contact=contact)
    if label == "enquiries.Enquiry":
        return EnquiryFactory(contact=contact)
    if label == "mailing.OutboundEmail":
        return OutboundEmail.objects.create(
            to=contact.email, subject="x", body_text="x", message_id="<merge@test>",
            contact=contact,
        )  # fmt: skip
    if label == "campaigns.CampaignRecipient":
        campaign = Campaign.objects.create(
            name="Relance", procedure=case.procedure, subject="x", body="x", created_by=agent
        )
        return CampaignRecipient.objects.create(
            campaign=campaign, case=case, contact=contact, status=RecipientStatus.SKIPPED
        )
    if label == "campaigns.Unsubscription":
        return Unsubscription.objects.create(contact=contact, created_at=timezone.now())
    raise AssertionError(
        f"{label} points at a contact: build one here and move it in a receiver of "
        "contacts.signals.contact_merged in its app"
    )


def test_a_merge_moves_every_row_of_every_model_that_points_at_a_contact(agent):
    fields = contact_foreign_keys()
    assert {field.model._meta.label for field in fields} >= {"cases.Case", "enquiries.Enquiry"}
    source, target = ContactFactory(), ContactFactory()
    case = CaseFactory(contact=target)
    rows = [
        (field, one_row_pointing_at(source, case, agent, field.model._meta.label))
        for field in fields
    ]

    contact_merge(source=source, target=target, actor=agent)

    not_moved = [
        f"{field.model._meta.label}.{field.name}"
        for field, row in rows
        if not field.model._default_manager.filter(pk=row.pk, **{field.attname: target.pk}).exists()
    ]
    assert not_moved == []
    assert Event.objects.filter(verb="merge").count() == 1


@pytest.fixture
def renamed_usager(team):
    person = ContactFactory(first_name="Élodie", last_name="Dupont", email="elodie@exemple.fr")
    case = CaseFactory(procedure=ProcedureFactory(team=team), contact=person)
    enquiry = EnquiryFactory(topic=TopicFactory(team=team), contact=person)
    return person, case, enquiry


def found(client, url_name: str, query: str) -> set[str]:
    response = client.get(reverse(url_name), {"q": query})
    assert response.status_code == 200
    if url_name == "enquiries:list":
        return {enquiry.reference for enquiry, _sla in response.context["rows"]}
    return {case.reference for case in response.context["page"]}


def test_a_contact_renamed_in_the_admin_is_found_under_the_new_name_only(
    administrator, agent_client, renamed_usager
):
    person, case, enquiry = renamed_usager
    admin_client = Client()  # the `client` fixture is the agent's
    admin_client.force_login(administrator)
    assert found(agent_client, "cases:list", "dupont") == {case.reference}

    response = admin_client.post(
        reverse("admin:contacts_person_change", args=[person.pk]),
        person_data(
            last_name="Martin", email="elodie.martin@exemple.fr", address=person.address,
            postal_code=person.postal_code, city=person.city, commune_code=person.commune_code,
        ),
    )  # fmt: skip
    assert response.status_code == 302
    assert response.url == reverse("admin:contacts_person_changelist")

    assert found(agent_client, "cases:list", "martin") == {case.reference}
    assert found(agent_client, "cases:list", "dupont") == set()
    assert found(agent_client, "enquiries:list", "martin") == {enquiry.reference}
    assert found(agent_client, "enquiries:list", "dupont") == set()
    assert found(agent_client, "enquiries:list", "elodie.martin@exemple.fr") == {enquiry.reference}


def test_a_change_that_the_search_does_not_read_rewrites_nothing(agent, renamed_usager):
    person, case, _enquiry = renamed_usager
    before = type(case).objects.get(pk=case.pk).search_text
    contact_update(contact=person, data={"city": "Villeurbanne"}, actor=agent)
    assert type(case).objects.get(pk=case.pk).search_text == before


def test_details_a_merge_fills_in_refresh_the_targets_own_cases(agent):
    from levier.cases.models import Case

    target = ContactFactory(email="")
    own = CaseFactory(contact=target)
    source = ContactFactory(email="elodie.dupont@exemple.fr")
    contact_merge(source=source, target=target, actor=agent)
    assert "elodie.dupont@exemple.fr" in Case.objects.get(pk=own.pk).search_text


def test_a_receiver_that_fails_rolls_the_whole_merge_back(agent):
    from levier.contacts.signals import contact_merged

    source, target = ContactFactory(), ContactFactory()
    case = CaseFactory(contact=source)

    def refuse(**_kwargs):
        raise RuntimeError("disk full")

    contact_merged.connect(refuse, dispatch_uid="test.refuse")
    try:
        with pytest.raises(RuntimeError):
            contact_merge(source=source, target=target, actor=agent)
    finally:
        contact_merged.disconnect(dispatch_uid="test.refuse")
    case.refresh_from_db()
    source.refresh_from_db()
    assert (case.contact_id, source.merged_into_id) == (source.pk, None)
    assert not Event.objects.filter(verb="merge").exists()
