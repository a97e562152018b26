"""Entities in enquiries: what usagers write, checked, never overlapping, never crashing."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from levier.core import geo
from levier.enquiries.entities import (
    _BEFORE_NAME,
    _POSTAL_CODE,
    KIND_LABELS,
    Entity,
    extract,
    highlight,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def found(text: str) -> list[tuple[str, str, str]]:
    return [(e.kind, e.text, e.value) for e in extract(text)]


def only(text: str) -> Entity:
    entities = extract(text)
    assert len(entities) == 1, entities
    return entities[0]


MESSAGE = """Bonjour Madame, Monsieur,

Je vous relance au sujet de mon dossier APE-2026-000123 (et de ma demande sol 2026 000042,
restée sans réponse). Ma société, SIRET 732 829 320 00074, est installée au
12 rue de la République, 69002 Lyon. Je vous ai adressé le 12 mars 2026 un devis de
1 234,56 € TTC ; le virement est à faire sur FR76 3000 6000 0112 3456 7890 189.

Vous pouvez me joindre au 06 12 34 56 78 ou à jean.dupont@example.com.
Bien cordialement,
Jean Dupont
"""


def test_a_real_message():
    assert found(MESSAGE) == [
        ("case_reference", "APE-2026-000123", "APE-2026-000123"),
        ("siret", "732 829 320 00074", "73282932000074"),
        ("commune", "69002 Lyon", "69123"),
        ("date", "12 mars 2026", "2026-03-12"),
        ("amount", "1 234,56 €", "1234.56"),
        ("iban", "FR76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189"),
        ("phone", "06 12 34 56 78", "+33612345678"),
        ("email", "jean.dupont@example.com", "jean.dupont@example.com"),
    ]
    assert all(entity.valid and not entity.note for entity in extract(MESSAGE))


def test_entities_know_where_they_are():
    for entity in extract(MESSAGE):
        assert MESSAGE[entity.start : entity.end] == entity.text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Référence APE-2026-000123.", "APE-2026-000123"),
        ("suite à SOL-2026-000042,", "SOL-2026-000042"),
        ("dossier ape-2026-000123", "APE-2026-000123"),
        ("dossier LOGT 2026 000007", "LOGT-2026-000007"),
        ("dossier SOL2026000042", "SOL-2026-000042"),
    ],
)
def test_case_references(text, value):
    entity = only(text)
    assert (entity.kind, entity.value) == ("case_reference", value)


@pytest.mark.parametrize("text", ["mon 2026 123456", "A-2026-000123", "ABCDEF-2026-000123"])
def test_what_only_looks_like_a_reference(text):
    assert [e for e in extract(text) if e.kind == "case_reference"] == []


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("SIREN 732 829 320", "siren", "732829320"),
        ("siren : 732829320", "siren", "732829320"),
        ("SIRET 732.829.320.00074", "siret", "73282932000074"),
        ("n° 73282932000074", "siret", "73282932000074"),
        ("SIRET 732 829 320 000 74", "siret", "73282932000074"),
        ("La Poste 356 000 000 00048", "siret", "35600000000048"),  # its own checksum rule
        ("NIR 1 85 04 69 381 123 87", "nir", "185046938112387"),
        ("sécurité sociale 185046938112387", "nir", "185046938112387"),
        ("IBAN DE89 3704 0044 0532 0130 00.", "iban", "DE89370400440532013000"),
        ("IBAN FR7630006000011234567890189", "iban", "FR7630006000011234567890189"),
    ],
)
def test_identifiers(text, kind, value):
    entity = only(text)
    assert (entity.kind, entity.value, entity.valid) == (kind, value, True)


@pytest.mark.parametrize(
    ("text", "kind", "note"),
    [
        ("SIRET 732 829 320 00075", "siret", "wrong SIRET check digit"),
        ("mon SIRET est 73282932000075", "siret", "wrong SIRET check digit"),
        ("SIREN 732 829 321", "siren", "wrong SIREN check digit"),
        ("NIR 1 85 04 69 381 123 45", "nir", "wrong social security number key"),
        ("FR76 3000 6000 0112 3456 7890 188", "iban", "wrong IBAN check digits"),
        ("FR76 3000 6000 0112 3456 7890 1", "iban", "IBAN too short for its country"),
        ("le 31/02/2026", "date", "no such date"),
        ("le 29 février 2025", "date", "no such date"),
        ("appelez le 07 00 00 00 00", "phone", "no such phone number"),
    ],
)
def test_invalid_entities_say_why(text, kind, note):
    entity = only(text)
    assert (entity.kind, entity.valid, entity.note) == (kind, False, note)


def test_invalid_notes_follow_the_active_language():
    with translation.override("fr"):
        entity = only("SIRET 732 829 320 00075")
    assert entity.note


def test_an_ungrouped_number_with_a_bad_checksum_is_just_a_number():
    assert extract("commande 123456789 du client") == []
    assert extract("commande 12345678901234") == []


def test_a_siret_is_not_also_a_siren_and_an_iban_holds_no_phone():
    assert [e.kind for e in extract("SIRET 732 829 320 00074")] == ["siret"]
    assert [e.kind for e in extract("FR76 3000 6000 0112 3456 7890 189")] == ["iban"]
    # 0612345678 hidden in an IBAN's digits stays part of the IBAN.
    iban = "FR14 2004 1010 0506 1234 5678 026"
    assert [e.kind for e in extract(iban)] == ["iban"]
    assert [e.kind for e in extract("06.12.34.56.78")] == ["phone"]  # not a date 06.12.34


def test_what_follows_an_iban_is_not_part_of_it():
    entity = extract("IBAN FR76 3000 6000 0112 3456 7890 189 BIC BNPAFRPP")[0]
    assert entity.text == "FR76 3000 6000 0112 3456 7890 189"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 234,56 €", "1234.56"),
        ("1\u202f234,56\u00a0€", "1234.56"),
        ("1234 euros", "1234.00"),
        ("1.234,56 EUR", "1234.56"),
        ("12,5€", "12.50"),
        ("19.90 €", "19.90"),
        ("12 k€", "12000.00"),
        ("1,5 million d'euros", "1500000.00"),
        ("un euro", None),
        ("en 2026", None),
    ],
)
def test_amounts(text, value):
    amounts = [e.value for e in extract(text) if e.kind == "amount"]
    assert amounts == ([value] if value else [])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("le 12/03/2026", "2026-03-12"),
        ("le 1/3/2026", "2026-03-01"),
        ("né le 05-04-85", "1985-04-05"),
        ("le 05.04.26", "2026-04-05"),
        ("le 12 mars 2026", "2026-03-12"),
        ("le 1er janvier 2025", "2025-01-01"),
        ("le 3 AOÛT 2026", "2026-08-03"),
        ("le 15 sept. 2026", "2026-09-15"),
    ],
)
def test_dates(text, value):
    entity = only(text)
    assert (entity.kind, entity.value, entity.valid) == ("date", value, True)


@pytest.mark.parametrize("text", ["le 12 mars", "version 1.2.3", "le 32/01/2026", "le 12/13/2026"])
def test_not_dates(text):
    assert [e for e in extract(text) if e.kind == "date"] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("06-12-34-56-78", "+33612345678"),
        ("0612345678", "+33612345678"),
        ("01 99 00 12 34", "+33199001234"),
        ("0262 12 34 56", "+262262123456"),  # La Réunion
        ("0690 12 34 56", "+590690123456"),  # Guadeloupe
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_phones(text, value):
    entity = only(f"Tél. {text}.")
    assert (entity.kind, entity.value) == ("phone", value)


def test_emails():
    entity = only("écrire à Jean.Dupont+levier@Mairie-Lyon.FR.")
    assert (entity.kind, entity.text) == ("email", "Jean.Dupont+levier@Mairie-Lyon.FR")
    assert entity.value == "Jean.Dupont+levier@mairie-lyon.fr"
    assert extract("pas un courriel: jean@localhost ni @example.com") == []


@pytest.mark.parametrize(
    ("text", "found_text", "insee"),
    [
        ("12 rue X, 75011 Paris", "75011 Paris", "75056"),
        ("33000 Bordeaux", "33000 Bordeaux", "33063"),
        ("33800 BORDEAUX", "33800 BORDEAUX", "33063"),
        ("75011 PARIS CEDEX 11", "75011 PARIS", "75056"),
        ("42000 St-Étienne", "42000 St-Étienne", "42218"),
        ("20000 Ajaccio", "20000 Ajaccio", "2A004"),
        ("97400 Saint-Denis", "97400 Saint-Denis", "97411"),
        ("93200 Saint-Denis", "93200 Saint-Denis", "93066"),
        ("je vis à Lyon depuis", "Lyon", "69123"),
        ("la mairie de Villeurbanne", "Villeurbanne", "69266"),
        ("installé au Mans", "Mans", "72181"),
        ("à Boulogne-sur-Mer.", "Boulogne-sur-Mer", "62160"),
        ("d'Annecy", "Annecy", "74010"),
        ("la ville de La Rochelle", "La Rochelle", "17300"),
    ],
)
def test_communes(text, found_text, insee):
    entity = only(text)
    assert (entity.kind, entity.text, entity.value) == ("commune", found_text, insee)


@pytest.mark.parametrize(
    "text",
    [
        "j'habite à Saint-Denis",  # 93 or 974: ambiguous
        "à Nancy Martin, ma voisine",  # a person
        "le service client d'Orange",  # the operator
        "merci de votre réponse sur ce point",  # ordinary words
        "le maire de Abergement",  # not a town anyone means without its postcode
        "à lyon",  # lower case: maybe not a name
        "69003 Bordeaux",  # not that postal code
        "en 12000 exemplaires",
        "un week-end à Bruges",  # in Belgium, most likely
        "le bénévolat de Croix-Rouge",  # "Croix" is only the start of the word
        "97400 Saint-Denis-Nord",  # not Saint-Denis itself
    ],
)
def test_no_commune_from_ordinary_words(text):
    assert [e for e in extract(text) if e.kind == "commune"] == []


def test_entities_are_sorted_and_never_overlap():
    entities = extract(MESSAGE * 3)
    assert entities == sorted(entities, key=lambda e: e.start)
    assert all(a.end <= b.start for a, b in zip(entities, entities[1:], strict=False))


def test_extraction_work_grows_linearly_and_loads_the_communes_once(monkeypatch):
    """Counted, not timed (a busy machine must not fail a test): the costly step, looking
    a run of words up among the communes, is bounded per place where a name may start,
    so twice the text is twice the lookups, and the communes are loaded only once."""
    text = (MESSAGE * 4)[:2048]
    extract(text)  # loads the communes once
    loaded = [geo.communes.cache_info().misses, geo.commune_names.cache_info().misses]
    lookups: list[str] = []
    key = geo.commune_name_key

    def counted_key(name: str) -> str:
        lookups.append(name)
        return key(name)

    monkeypatch.setattr(geo, "commune_name_key", counted_key)

    def lookups_for(sample: str) -> int:
        lookups.clear()
        extract(sample)
        return len(lookups)

    per_start = geo.longest_commune_name() + 1
    starts = len(_POSTAL_CODE.findall(text)) + len(_BEFORE_NAME.findall(text))
    once, twice = lookups_for(text), lookups_for(text * 2)
    assert 0 < once <= per_start * starts
    assert twice <= 2 * once + per_start  # a name may start across the join
    assert [geo.communes.cache_info().misses, geo.commune_names.cache_info().misses] == loaded


@given(st.text(max_size=400))
@hypothesis_settings(max_examples=400, deadline=None)
def test_never_raises_on_any_text(text):
    for entity in extract(text):
        assert text[entity.start : entity.end] == entity.text
    highlight(text, extract(text))


# Text made of the pieces entities are built from, to reach every branch.
_PIECES = st.sampled_from(
    [" ", "  ", "\u00a0", ".", ",", "-", "/", "'", "€", "k€", "euros", "EUR", "+33", "0",
     "06", "FR76", "DE89", "2A", "20", "2026", "APE-", "sol ", "1er", "mars", "février",
     "à ", "de ", "au ", "d'", "Paris", "Saint-", "Lyon", "75011", "97400", "@", "x.fr",
     "SIRET", "NIR", "(0)", "\n", "é", "ſ", "K", "٣"]
)  # fmt: skip
_DIGITS = st.text(alphabet="0123456789 .", min_size=1, max_size=20)


@given(st.lists(st.one_of(_PIECES, _DIGITS), max_size=40).map("".join))
@hypothesis_settings(max_examples=600, deadline=None)
def test_never_raises_on_near_misses(text):
    entities = extract(text)
    assert all(a.end <= b.start for a, b in zip(entities, entities[1:], strict=False))
    for entity in entities:
        assert text[entity.start : entity.end] == entity.text
        assert entity.kind in KIND_LABELS


def test_highlight_escapes_html_and_marks_entities():
    text = '<script>alert("x")</script>\nSIRET 732 829 320 00075 & SOL-2026-000042'
    entities = extract(text)
    html = highlight(text, entities, links={1: ("/sollicitations/42/?a=1&b=2", "Open")})
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "\n" in html  # kept for white-space: pre-line
    assert (
        '<mark class="levier-entity levier-entity--siret levier-entity--invalid" '
        'title="SIRET: 73282932000075 (wrong SIRET check digit)">732 829 320 00075</mark>'
    ) in html
    assert (
        '<mark class="levier-entity levier-entity--case_reference" '
        'title="Reference: SOL-2026-000042">'
        '<a href="/sollicitations/42/?a=1&amp;b=2" title="Open">SOL-2026-000042</a></mark>'
    ) in html
    assert " &amp; " in html


def test_highlight_names_communes_and_skips_stale_entities():
    html = highlight("33000 Bordeaux", extract("33000 Bordeaux"))
    assert 'title="Commune: Bordeaux (33063)"' in html
    stale = [Entity("email", "x", "x", 5, 50), Entity("date", "ab", "v", 0, 2)]
    assert (
        highlight("abcdef<", stale)
        == '<mark class="levier-entity levier-entity--date" title="Date: v">ab</mark>cdef&lt;'
    )


def test_every_kind_has_a_label():
    assert set(KIND_LABELS) == {
        "case_reference", "siren", "siret", "nir", "iban", "amount", "date", "phone",
        "email", "commune",
    }  # fmt: skip


def test_an_amount_too_long_to_be_real_is_not_an_entity_and_does_not_raise():
    # Found by hypothesis: quantize() raised InvalidOperation past 28 significant digits.
    assert extract("100000000000000000000000000€") == []
    assert [entity.value for entity in extract("1 250,50 €")] == ["1250.50"]
