import datetime

from levier.contacts.duplicates import duplicate_pairs, name_similarity, probable_duplicates
from tests.factories import ContactFactory

from .numbers import IBAN, NIR, OTHER_SIRET_SAME_SIREN

BIRTH = datetime.date(1985, 4, 12)


def reasons_by_contact(contact):
    return {other: reasons for other, reasons in probable_duplicates(contact)}


def test_same_siret_is_a_duplicate_and_another_establishment_shares_the_siren(company):
    twin = ContactFactory(company=True, legal_name="SARL Martin")
    establishment = ContactFactory(company=True, siret=OTHER_SIRET_SAME_SIREN)
    found = reasons_by_contact(company)
    assert found[twin] == ["same SIRET", "same SIREN"]
    assert found[establishment] == ["same SIREN"]


def test_same_nir_iban_or_email_is_a_duplicate(person):
    person.nir, person.iban = NIR, IBAN
    person.save()
    same_nir = ContactFactory(nir=NIR, birth_date=None)
    same_iban = ContactFactory(iban=IBAN, birth_date=None)
    same_email = ContactFactory(
        email="Elodie.Dupont@exemple.fr", first_name="Marc", birth_date=None
    )
    assert reasons_by_contact(person) == {
        same_nir: ["same social security number"],
        same_iban: ["same IBAN"],
        same_email: ["same email address"],
    }


def test_close_name_and_same_birth_date_is_a_duplicate(person):
    typo = ContactFactory(first_name="Elodie", last_name="Dupond", email="", birth_date=BIRTH)
    swapped = ContactFactory(first_name="DUPONT", last_name="élodie", email="", birth_date=BIRTH)
    found = reasons_by_contact(person)
    assert found[typo] == ["same birth date", "close name (Elodie DUPOND)"]
    assert found[swapped] == ["same birth date", "same name"]


def test_close_name_and_same_email_adds_the_name_to_the_reasons(person):
    other = ContactFactory(
        first_name="Elodie",
        last_name="Dupond",
        email=person.email,
        birth_date=datetime.date(1990, 1, 1),
    )
    assert reasons_by_contact(person)[other] == ["same email address", "close name (Elodie DUPOND)"]


def test_a_close_name_alone_or_a_birth_date_alone_is_not_a_duplicate(person):
    ContactFactory(first_name="Élodie", last_name="Dupont", birth_date=datetime.date(1990, 1, 1))
    ContactFactory(first_name="Élodie", last_name="Durand", birth_date=BIRTH)
    assert probable_duplicates(person) == []


def test_merged_contacts_and_other_kinds_are_left_out(person):
    ContactFactory(email=person.email, merged_into=ContactFactory(first_name="Marc", email=""))
    ContactFactory(company=True, email=person.email)
    assert probable_duplicates(person) == []


def test_most_reasons_come_first(person):
    person.nir = NIR
    person.save()
    weak = ContactFactory(email=person.email, first_name="Marc")
    strong = ContactFactory(email=person.email, nir=NIR, first_name="Elodie", last_name="Dupont")
    assert [other for other, _ in probable_duplicates(person)] == [strong, weak]


def test_candidates_are_fetched_in_two_queries_whatever_their_number(
    person, django_assert_num_queries
):
    for number in range(30):
        ContactFactory(first_name="Camille", last_name=f"Martin {number}", birth_date=BIRTH)
    ContactFactory.create_batch(10, email=person.email)
    with django_assert_num_queries(2):
        found = probable_duplicates(person)
    assert len(found) == 10


def test_name_similarity_ignores_accents_case_and_word_order():
    a = ContactFactory.build(first_name="Élodie", last_name="Dupont")
    b = ContactFactory.build(first_name="DUPONT", last_name="elodie")
    assert name_similarity(a, b) == 100
    assert name_similarity(a, ContactFactory.build(first_name="", last_name="")) == 0
    hyphen = ContactFactory.build(first_name="Jean-Pierre", last_name="L'Hôte")
    spaces = ContactFactory.build(first_name="Jean Pierre", last_name="L HOTE")
    assert name_similarity(hyphen, spaces) == 100


def test_duplicate_pairs_groups_by_identifier_in_the_database(
    person, django_assert_max_num_queries
):
    person.nir = NIR
    person.save()
    twin = ContactFactory(nir=NIR, email=person.email.upper())
    ContactFactory(company=True, email=person.email)  # another kind: never paired
    ContactFactory(nir=NIR, merged_into=twin)  # merged: never paired
    with django_assert_max_num_queries(2 * 5):
        pairs = duplicate_pairs(limit=10)
    assert pairs == [(person, twin, ["same social security number", "same email address"])]
