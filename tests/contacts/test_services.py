import datetime

import pytest
from django.core.exceptions import ValidationError

from levier.contacts.models import Contact, ContactKind
from levier.contacts.services import (
    contact_create,
    contact_find_or_create,
    contact_merge,
    contact_update,
)
from levier.journal.models import Event
from levier.journal.services import Actor
from tests.factories import CaseFactory, ContactFactory, EnquiryFactory

from .numbers import IBAN, NIR, OTHER_NIR, OTHER_SIRET_SAME_SIREN, SIREN, SIRET, VAT

USAGER = Actor.usager(label="portail")
BIRTH = datetime.date(1985, 4, 12)


def events_on(contact: Contact, verb: str = ""):
    events = Event.objects.for_target("contacts.contact", contact.pk)
    return events.filter(verb=verb) if verb else events


# --- find or create ----------------------------------------------------------------


def test_find_or_create_creates_a_person_with_normalised_details_and_journals_it(db):
    contact = contact_find_or_create(
        kind=ContactKind.PERSON,
        email=" Elodie.Dupont@Exemple.FR ",
        first_name="Élodie",
        last_name="Dupont",
        birth_date=BIRTH,
        nir="1 85 04 69 381 123 87",
        phone="+33 6 12 34 56 78",
        iban="fr76 3000 6000 0112 3456 7890 189",
        actor=USAGER,
    )
    contact.refresh_from_db()
    assert (contact.kind, contact.email, contact.nir) == ("person", "elodie.dupont@exemple.fr", NIR)
    assert (contact.phone, contact.iban) == ("0612345678", IBAN)
    [event] = events_on(contact)
    assert (event.verb, event.actor_kind) == ("create", "usager")


def test_find_or_create_matches_a_person_on_the_nir_and_journals_nothing(db):
    existing = ContactFactory(nir=NIR, email="old@exemple.fr")
    found = contact_find_or_create(
        kind=ContactKind.PERSON,
        email="new@exemple.fr",
        first_name="Someone",
        last_name="Else",
        nir="1 85 04 69 381 123 87",
        actor=USAGER,
    )
    assert found == existing
    assert found.email == "old@exemple.fr"  # the portal does not overwrite what is known
    assert Contact.objects.count() == 1
    assert not Event.objects.exists()


def test_find_or_create_matches_on_email_and_folded_name(person):
    found = contact_find_or_create(
        kind=ContactKind.PERSON,
        email="ELODIE.DUPONT@exemple.fr",
        first_name="elodie",
        last_name="DUPONT",
        actor=USAGER,
    )
    assert found == person


@pytest.mark.parametrize(
    "details",
    [
        {"first_name": "Marc", "last_name": "Dupont"},  # same email, another name
        {"first_name": "Élodie", "last_name": "Dupont", "nir": OTHER_NIR},  # person has another
    ],
)
def test_find_or_create_does_not_match_another_person(person, details):
    person.nir = NIR if "nir" in details else ""
    person.save()
    found = contact_find_or_create(
        kind=ContactKind.PERSON, email="elodie.dupont@exemple.fr", actor=USAGER, **details
    )
    assert found != person
    assert Contact.objects.count() == 2


def test_find_or_create_matches_on_email_and_name_when_the_known_person_has_no_nir(person):
    found = contact_find_or_create(
        kind=ContactKind.PERSON, email=person.email, first_name="Élodie", last_name="Dupont",
        nir=NIR, actor=USAGER,
    )  # fmt: skip
    assert found == person
    assert found.nir == ""  # a match is returned as it is


def test_find_or_create_ignores_merged_contacts(person):
    target = ContactFactory()
    person.merged_into = target
    person.save()
    found = contact_find_or_create(
        kind=ContactKind.PERSON,
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        actor=USAGER,
    )
    assert found not in (person, target)


def test_find_or_create_matches_a_company_on_siret_then_on_siren(db):
    establishment = ContactFactory(company=True, siret=SIRET)
    assert (
        contact_find_or_create(
            kind="company", email="x@y.fr", siret="732 829 320 00074", actor=USAGER
        )
        == establishment
    )
    head_office_unknown = contact_find_or_create(
        kind="company",
        email="x@y.fr",
        siret=OTHER_SIRET_SAME_SIREN,
        legal_name="Autre",
        actor=USAGER,
    )
    assert head_office_unknown != establishment  # another establishment, another contact
    assert head_office_unknown.siren == SIREN  # derived from the SIRET

    company_without_siret = ContactFactory(company=True, siren="404833048", siret="")
    assert (
        contact_find_or_create(kind="company", email="", siren="404 833 048", actor=USAGER)
        == company_without_siret
    )


def test_find_or_create_reports_every_bad_field_by_name(db):
    with pytest.raises(ValidationError) as caught:
        contact_find_or_create(
            kind="company", email="not an email", siret="123", iban="FR00", actor=USAGER
        )
    errors = caught.value.message_dict
    assert set(errors) == {"email", "siret", "iban"}
    assert errors["siret"] == ["The SIRET must have 14 digits; you typed 3."]
    assert not Contact.objects.exists()


def test_find_or_create_refuses_a_siret_that_does_not_match_the_siren(db):
    with pytest.raises(ValidationError) as caught:
        contact_find_or_create(
            kind="company", email="", siren="404833048", siret=SIRET, actor=USAGER
        )
    assert "siret" in caught.value.message_dict


def test_a_person_has_no_siret(db):
    with pytest.raises(ValueError):
        contact_find_or_create(kind="person", email="", siret=SIRET, actor=USAGER)


# --- create and update -------------------------------------------------------------


def test_create_fills_the_siren_of_a_company(agent):
    company = contact_create(
        kind="company",
        data={"legal_name": "Boulangerie", "siret": SIRET, "vat_number": VAT},
        actor=agent,
    )
    assert (company.siren, company.vat_number) == (SIREN, VAT)
    assert events_on(company, "create").get().actor_id == str(agent.pk)


def test_update_normalises_and_journals_the_changed_field_names_only(person, agent):
    contact_update(
        contact=person,
        data={"nir": "1 85 04 69 381 123 87", "city": person.city, "phone": "06 12 34 56 78"},
        actor=agent,
    )
    person.refresh_from_db()
    assert (person.nir, person.phone) == (NIR, "0612345678")
    [event] = events_on(person, "update")
    assert event.payload == {"fields": ["nir", "phone"]}  # values stay out of the journal


def test_update_without_change_writes_nothing(person, agent):
    contact_update(contact=person, data={"city": person.city}, actor=agent)
    assert not events_on(person).exists()


def test_update_refuses_a_bad_identifier_and_keeps_the_old_value(person, agent):
    person.nir = NIR
    person.save()
    with pytest.raises(ValidationError) as caught:
        contact_update(contact=person, data={"nir": "185046938112388"}, actor=agent)
    assert caught.value.error_dict["nir"][0].code == "checksum"
    person.refresh_from_db()
    assert person.nir == NIR


def test_update_of_a_company_keeps_its_identifiers_consistent(company, agent):
    company.siren, company.siret = "", ""
    company.save()
    contact_update(contact=company, data={"siret": "732 829 320 00074"}, actor=agent)
    company.refresh_from_db()
    assert (company.siret, company.siren) == (SIRET, SIREN)
    assert events_on(company, "update").get().payload == {"fields": ["siret", "siren"]}
    with pytest.raises(ValidationError) as caught:
        contact_update(contact=company, data={"vat_number": "FR23334175221"}, actor=agent)
    assert caught.value.message_dict == {
        "vat_number": [f"The VAT number must end with the SIREN {SIREN}; check both numbers."]
    }


def test_update_refuses_a_merged_contact(person, agent):
    person.merged_into = ContactFactory()
    person.save()
    with pytest.raises(ValidationError) as caught:
        contact_update(contact=person, data={"city": "Paris"}, actor=agent)
    assert caught.value.code == "merged"


# --- merge -------------------------------------------------------------------------


def test_merge_moves_cases_and_enquiries_fills_blanks_and_journals_once(agent):
    target = ContactFactory(first_name="Élodie", last_name="Dupont", phone="", nir="", iban="")
    source = ContactFactory(
        first_name="Elodie", last_name="Dupont", phone="0612345678", nir=NIR, iban=IBAN
    )
    cases = CaseFactory.create_batch(2, contact=source)
    enquiry = EnquiryFactory(contact=source)
    untouched = CaseFactory(contact=target)
    earlier = ContactFactory(merged_into=source)

    result = contact_merge(source=source, target=target, actor=agent)

    assert result == target
    assert set(target.cases.all()) == {*cases, untouched}
    assert list(target.enquiries.all()) == [enquiry]
    source.refresh_from_db()
    target.refresh_from_db()
    earlier.refresh_from_db()
    assert source.merged_into == target
    assert earlier.merged_into == target  # no chain of merges to follow
    assert (target.phone, target.nir, target.iban) == ("0612345678", NIR, IBAN)
    assert target.address == "12 rue de la République"  # kept: it was not blank
    [event] = Event.objects.all()
    assert (event.verb, event.activity_code, event.actor_id) == (
        "merge",
        "merge-contacts",
        str(agent.pk),
    )
    assert (event.target_type, event.target_id) == ("contacts.contact", str(target.pk))
    assert event.payload == {
        "source": source.pk,
        "cases": [case.pk for case in cases],
        "enquiries": [enquiry.pk],
        "campaign_recipients": [],
        "outbound_emails": [],
        "earlier_merged_contacts": [earlier.pk],
        "filled_fields": ["nir", "phone", "iban"],
    }


def test_merge_copies_the_address_as_a_whole(agent):
    target = ContactFactory(address="", postal_code="", city="", commune_code="")
    source = ContactFactory(address="1 place Bellecour", postal_code="69002", city="Lyon")
    contact_merge(source=source, target=target, actor=agent)
    target.refresh_from_db()
    assert (target.address, target.postal_code, target.city) == (
        "1 place Bellecour",
        "69002",
        "Lyon",
    )


def test_merge_refuses_a_contact_into_itself(person, agent):
    with pytest.raises(ValidationError, match="cannot be merged into itself"):
        contact_merge(source=person, target=person, actor=agent)


def test_merge_refuses_a_person_into_a_company(person, company, agent):
    case = CaseFactory(contact=person)
    with pytest.raises(ValidationError) as caught:
        contact_merge(source=person, target=company, actor=agent)
    assert caught.value.messages == [
        "A person and a company cannot be merged: choose two persons or two companies."
    ]
    case.refresh_from_db()
    assert case.contact == person
    assert not Event.objects.exists()


def test_merge_refuses_an_already_merged_contact(person, agent):
    first_target, second_target = ContactFactory(), ContactFactory()
    contact_merge(source=person, target=first_target, actor=agent)
    with pytest.raises(ValidationError) as caught:
        contact_merge(source=person, target=second_target, actor=agent)
    assert caught.value.messages == [
        f"{person.display_name} was already merged into {first_target.display_name}."
    ]
    with pytest.raises(ValidationError, match="merge into that one instead"):
        contact_merge(source=second_target, target=person, actor=agent)
    assert Event.objects.filter(verb="merge").count() == 1


def test_merge_refuses_two_persons_with_different_nirs(agent):
    source, target = ContactFactory(nir=NIR), ContactFactory(nir=OTHER_NIR)
    with pytest.raises(ValidationError, match="different social security numbers"):
        contact_merge(source=source, target=target, actor=agent)


def test_merge_uses_the_database_state_not_a_stale_instance(person, agent):
    target = ContactFactory()
    stale = Contact.objects.get(pk=person.pk)
    contact_merge(source=person, target=target, actor=agent)
    with pytest.raises(ValidationError, match="already merged"):
        contact_merge(source=stale, target=ContactFactory(), actor=agent)


def test_merged_cases_and_enquiries_are_found_under_the_targets_name(agent):
    from levier.cases.models import Case
    from levier.enquiries.models import Enquiry

    target = ContactFactory(first_name="Élodie", last_name="Dupont", email="elodie@exemple.fr")
    source = ContactFactory(first_name="Elodie", last_name="Dupond", email="e.dupond@exemple.fr")
    case = CaseFactory(contact=source)
    enquiry = EnquiryFactory(contact=source)
    contact_merge(source=source, target=target, actor=agent)
    assert Case.objects.filter(pk=case.pk, search_text__contains="elodie@exemple.fr").exists()
    assert Enquiry.objects.filter(pk=enquiry.pk, search_text__contains="dupont").exists()
