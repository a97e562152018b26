"""French geography: the vendored COG files, postal codes, names as written in messages."""

import pytest

from levier.core import geo


def test_communes_and_departements_load_from_core_data():
    communes = geo.communes()
    assert len(communes) > 34_000
    lyon = communes["69123"]
    assert (lyon.name, lyon.departement, lyon.postal_code) == ("Lyon", "69", "69001")
    assert lyon.population > 400_000
    assert geo.departements()["2A"].name == "Corse-du-Sud"
    assert geo.departements()["974"].chef_lieu in communes
    assert (geo.DATA_DIR / "README.md").read_text(encoding="utf-8").count("Licence Ouverte")


def test_loaders_are_cached():
    assert geo.communes() is geo.communes()
    assert geo.commune_names() is geo.commune_names()


@pytest.mark.parametrize(
    ("postal_code", "departement"),
    [
        ("75011", "75"),
        ("69003", "69"),
        ("01400", "01"),
        ("20000", "2A"),  # Ajaccio
        ("20100", "2A"),  # Sartène
        ("20200", "2B"),  # Bastia
        ("20600", "2B"),
        ("20290", "2B"),  # not a first postal code in the file: La Poste's split
        ("97110", "971"),
        ("97200", "972"),
        ("97300", "973"),
        ("97400", "974"),
        ("97600", "976"),
        ("97133", "977"),  # Saint-Barthélemy, inside Guadeloupe's range
        ("97150", "978"),  # Saint-Martin
        ("05110", "05"),  # shared with communes of the 04: the delivering office decides
    ],
)
def test_departement_of_postal_code(postal_code, departement):
    assert geo.departement_of_postal_code(postal_code) == departement


@pytest.mark.parametrize("postal_code", ["", "7501", "750111", "00100", "98000", "ABCDE", None])
def test_what_is_not_a_french_postal_code_has_no_departement(postal_code):
    assert geo.departement_of_postal_code(postal_code) is None


def test_departement_of_commune():
    assert geo.departement_of_commune("33063") == "33"
    assert geo.departement_of_commune("2B033") == "2B"
    assert geo.departement_of_commune("97411") == "974"
    assert geo.departement_of_commune("75111") == "75"  # Paris 11e, an arrondissement
    assert geo.departement_of_commune("00000") is None
    assert geo.departement_of_commune("hello") is None


def test_name_keys_fold_accents_punctuation_and_abbreviations():
    assert geo.commune_name_key("L'Haÿ-les-Roses") == "l hay les roses"
    assert geo.commune_name_key("ST-ÉTIENNE") == geo.commune_name_key("Saint-Étienne")
    assert geo.commune_name_key("Marcq-en-Barœul") == "marcq en baroeul"
    assert 5 <= geo.longest_commune_name() <= 10


def test_prominent_names_are_unique_and_big_enough():
    assert geo.prominent_commune("lyon").code == "69123"
    assert geo.prominent_commune("le mans").code == "72181"
    assert geo.prominent_commune("valence").departement == "26"  # a small namesake in the 82
    assert geo.prominent_commune("saint denis") is None  # 93 and 974, both large
    assert geo.prominent_commune("saint louis") is None  # 68 and 974
    assert geo.prominent_commune("abergement clemenciat") is None  # a village
    assert geo.prominent_commune("bonjour") is None


def test_commune_at_postal_code_uses_the_departement_for_secondary_codes():
    assert geo.commune_at_postal_code("paris", "75011").code == "75056"
    assert geo.commune_at_postal_code("bordeaux", "33800").code == "33063"
    assert geo.commune_at_postal_code("saint denis", "93200").code == "93066"
    assert geo.commune_at_postal_code("saint denis", "97400").code == "97411"
    assert geo.commune_at_postal_code("bordeaux", "69003") is None
    assert geo.commune_at_postal_code("ajaccio", "20000").code == "2A004"


def test_an_arrondissement_belongs_to_its_commune():
    from levier.core.geo import commune_codes_of

    assert commune_codes_of("69381") == {"69381", "69123"}
    assert commune_codes_of("75111") == {"75111", "75056"}
    assert commune_codes_of("33063") == {"33063"}
    assert commune_codes_of("") == set()
