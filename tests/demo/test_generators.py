"""Generated usagers: valid identifiers, real communes, deterministic output."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret
from stdnum.fr import tva as stdnum_tva

from levier.contacts.identifiers import (
    normalise_iban,
    normalise_nir,
    normalise_phone,
    normalise_siret,
)
from levier.demo import reference
from levier.demo.generators import ARRONDISSEMENTS, DemoGenerator, de, french_iban, rib_key

TODAY = datetime.date(2026, 3, 2)
FICTION_PREFIXES = ("063998", "019900", "026191", "035301", "046571", "053649")
RESERVED_DOMAINS = ("example.com", "example.org", "example.net", ".example")


def commune_codes() -> set[str]:
    return {commune.code for commune in reference.communes()}


@given(seed=st.integers(min_value=0, max_value=2**32))
@settings(max_examples=60, deadline=None)
def test_persons_have_valid_consistent_identifiers(seed):
    person = DemoGenerator(seed, today=TODAY).person()
    assert stdnum_nir.is_valid(person.nir)
    assert normalise_nir(person.nir) == person.nir  # what the contacts app stores
    born = person.birth_date
    assert person.nir[1:3] == f"{born.year % 100:02d}" and person.nir[3:5] == f"{born.month:02d}"
    assert person.nir[0] in "12"
    place = person.nir[5:10]
    assert place == person.birth_place_code or (
        place[:2] == "20" and person.birth_place_code[:2] in {"2A", "2B"}
    )
    assert 18 <= (TODAY - born).days / 365.25 <= 89
    assert stdnum_iban.is_valid(person.iban) and person.iban.startswith("FR76")
    assert normalise_iban(person.iban) == person.iban
    assert normalise_phone(person.phone) == person.phone and person.phone.startswith(
        FICTION_PREFIXES
    )
    assert person.email.endswith(RESERVED_DOMAINS)
    assert person.address.commune_code in commune_codes()


@given(
    seed=st.integers(min_value=0, max_value=2**32),
    kind=st.sampled_from(["entreprise", "association"]),
)
@settings(max_examples=60, deadline=None)
def test_companies_have_valid_identifiers(seed, kind):
    company = DemoGenerator(seed, today=TODAY).company(kind=kind)
    assert stdnum_siren.is_valid(company.siren)
    assert stdnum_siret.is_valid(company.siret) and company.siret.startswith(company.siren)
    assert normalise_siret(company.siret) == company.siret
    assert stdnum_iban.is_valid(company.iban)
    assert company.naf_code in reference.naf_labels()
    assert company.address.commune_code in commune_codes()
    assert company.email.endswith(".example")
    if kind == "entreprise":
        assert stdnum_tva.is_valid(company.vat_number)
        assert stdnum_tva.to_siren(company.vat_number) == company.siren
    else:
        assert company.vat_number == ""
        assert company.rna.startswith("W") and len(company.rna) == 10


def test_birth_places_are_real_communes_arrondissements_or_countries():
    generator = DemoGenerator(7, today=TODAY)
    codes = commune_codes() | {code for codes in ARRONDISSEMENTS.values() for code in codes}
    for _ in range(300):
        place = generator.person().birth_place_code
        assert place.startswith("99") or place in codes


def test_same_seed_same_people_and_sirens_are_unique():
    first = [DemoGenerator(42, today=TODAY).person() for _ in range(1)]
    again = [DemoGenerator(42, today=TODAY).person() for _ in range(1)]
    assert first == again
    generator = DemoGenerator(3, today=TODAY)
    sirens = [generator.company().siren for _ in range(500)]
    assert len(set(sirens)) == len(sirens)


def test_rib_key_and_iban_of_a_known_account():
    # The usual example IBAN FR76 3000 6000 0112 3456 7890 189: bank, branch, account, RIB key 89.
    assert rib_key("30006", "00001", "12345678901") == "89"
    assert french_iban("30006", "00001", "12345678901") == "FR7630006000011234567890189"
    # A RIB key makes 89 x bank + 15 x branch + 3 x account + key a multiple of 97.
    key = rib_key("20041", "01005", "0500013M026")
    assert (89 * 20041 + 15 * 1005 + 3 * int("05000134026") + int(key)) % 97 == 0


def test_communes_come_from_the_vendored_file_weighted_by_population():
    communes = reference.communes()
    assert len(communes) > 34_000
    by_code = reference.communes_by_code()
    assert by_code["69123"].name == "Lyon" and by_code["2A004"].name == "Ajaccio"
    generator = DemoGenerator(1, today=TODAY)
    drawn = [generator.commune() for _ in range(2000)]
    assert all(commune.code in by_code and commune.population > 0 for commune in drawn)
    # Paris (about 2.1 million people) comes up far more often than a village.
    assert sum(commune.code == "75056" for commune in drawn) > 20


def test_departement_restricts_the_communes():
    generator = DemoGenerator(1, departement="2A", today=TODAY)
    assert {generator.person().address.departement for _ in range(50)} == {"2A"}
    with pytest.raises(ValueError, match="No commune"):
        DemoGenerator(1, departement="00", today=TODAY)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Lyon", "de Lyon"),
        ("Annecy", "d'Annecy"),
        ("Le Mans", "du Mans"),
        ("Les Lilas", "des Lilas"),
        ("La Rochelle", "de La Rochelle"),
        ("Évreux", "d'Évreux"),
    ],
)
def test_de_elides_and_contracts(name, expected):
    assert de(name) == expected
