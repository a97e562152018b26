"""Field schemas: validation of the schema, forms built per type, data and display."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from levier.cases.schema import (
    build_form_class,
    cleaned_files,
    cleaned_to_data,
    display_rows,
    format_money,
    parse_french_decimal,
    validate_schema,
)
from levier.core.uploads import CheckedFile

from .conftest import FULL_SCHEMA, VALID_IBAN, VALID_NIR, VALID_SIRET, make_pdf, make_png, upload

# ---------------------------------------------------------------------------
# validate_schema
# ---------------------------------------------------------------------------


def test_the_full_schema_is_valid():
    assert validate_schema(FULL_SCHEMA) is None


def test_an_empty_schema_is_valid():
    validate_schema([])


@pytest.mark.parametrize(
    ("schema", "names", "says"),
    [
        ({"name": "a"}, [], "list"),
        ([{"name": "amount", "label": "Montant", "type": "monney"}], ["amount"], "monney"),
        (
            [
                {"name": "a", "label": "A", "type": "text"},
                {"name": "a", "label": "B", "type": "text"},
            ],
            ["a"],
            "no. 2",
        ),
        ([{"name": "sector", "label": "Secteur", "type": "choice"}], ["sector"], "choices"),
        (
            [{"name": "sector", "label": "Secteur", "type": "choice", "choices": []}],
            ["sector"],
            "choices",
        ),
        (
            [{"name": "sector", "label": "S", "type": "choice", "choices": ["a", "a"]}],
            ["sector"],
            "twice",
        ),
        (
            [{"name": "sector", "label": "S", "type": "choice", "choices": [1, 2]}],
            ["sector"],
            "choice",
        ),
        (
            [{"name": "project", "label": "P", "type": "text", "choices": ["a"]}],
            ["project"],
            "choices",
        ),
        ([{"name": "Project Name", "label": "P", "type": "text"}], ["Project Name"], "name"),
        ([{"name": "a__b", "label": "P", "type": "text"}], ["a__b"], "name"),
        ([{"label": "P", "type": "text"}], ["no. 1"], "name"),
        ([{"name": "p", "label": "", "type": "text"}], ["p"], "label"),
        ([{"name": "p", "label": "P", "type": "text", "required": "yes"}], ["p"], "required"),
        ([{"name": "p", "label": "P", "type": "text", "min": 1}], ["p"], "min"),
        ([{"name": "n", "label": "N", "type": "number", "min": "beaucoup"}], ["n"], "min"),
        ([{"name": "n", "label": "N", "type": "money", "min": 10, "max": 1}], ["n"], "max"),
        ([{"name": "n", "label": "N", "type": "text", "colour": "red"}], ["n"], "colour"),
        (["not a field"], ["no. 1"], "object"),
    ],
)
def test_a_bad_schema_is_refused_naming_the_field(schema, names, says):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        validate_schema(schema)
    message = " ".join(caught.value.messages)
    for name in names:
        assert name in message
    assert says in message


# ---------------------------------------------------------------------------
# build_form_class: one field per entry, validated per type
# ---------------------------------------------------------------------------


def valid_post(**overrides):
    post = {
        "project": "Rénovation de la vitrine",
        "amount": "1 234,56",
        "employees": "3",
        "start_date": "2026-03-01",
        "sector": "artisanat",
        "contact_email": "projet@exemple.fr",
        "contact_phone": "06 12 34 56 78",
        "site__street": "12 rue de la République",
        "site__postal_code": "69001",
        "site__city": "Lyon",
        "siren": "732 829 320",
        "siret": "732 829 320 00074",
        "nir": VALID_NIR,
        "iban": "fr76 3000 6000 0112 3456 7890 189",
    }
    post.update(overrides)
    return post


def files(**overrides):
    given_files = {
        "quote": upload("devis.pdf", make_pdf(2)),
        "photo": upload("local.png", make_png()),
    }
    given_files.update(overrides)
    return {name: value for name, value in given_files.items() if value is not None}


def test_the_built_form_has_one_field_per_entry_and_three_for_an_address():
    form = build_form_class(FULL_SCHEMA)()
    assert (
        "site__street" in form.fields
        and "site__postal_code" in form.fields
        and "site__city" in form.fields
    )
    assert {e["name"] for e in FULL_SCHEMA if e["type"] != "address"} <= set(form.fields)
    assert form.fields["project"].required and not form.fields["employees"].required
    assert form.fields["amount"].label == "Montant demandé"


def test_a_valid_submission_cleans_to_json_data():
    form = build_form_class(FULL_SCHEMA)(valid_post(), files())
    assert form.is_valid(), form.errors
    data = cleaned_to_data(form)
    json.dumps(data)
    assert data["amount"] == "1234.56"
    assert data["employees"] == 3
    assert data["start_date"] == "2026-03-01"
    assert data["sector"] == "artisanat"
    assert data["contact_phone"] == "0612345678"
    assert data["siren"] == "732829320"
    assert data["siret"] == VALID_SIRET
    assert data["iban"] == VALID_IBAN
    assert data["site"] == {
        "street": "12 rue de la République",
        "postal_code": "69001",
        "city": "Lyon",
    }
    assert "quote" not in data
    documents = cleaned_files(form)
    assert [name for name, _checked in documents] == ["quote", "photo"]
    quote = documents[0][1]
    assert (
        isinstance(quote, CheckedFile)
        and quote.page_count == 2
        and quote.content_type == "application/pdf"
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1 234,56", "1234.56"),
        ("1234.5", "1234.50"),
        ("1.234,56 €", "1234.56"),
        ("12", "12.00"),
        ("1\u202f000,00", "1000.00"),
        ("0,5", "0.50"),
    ],
)
def test_money_accepts_french_formats(typed, stored):
    form = build_form_class(FULL_SCHEMA)(valid_post(amount=typed), files())
    assert form.is_valid(), form.errors
    assert cleaned_to_data(form)["amount"] == stored


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("amount", "mille euros", "1 234,56"),
        ("amount", "12,345", "two digits"),
        # read as 1234 before core.french: digits grouped unevenly are a typing slip
        ("amount", "12 34", "groups of three"),
        ("amount", "1.234", "ambiguous"),
        ("amount", "60 000", "at most"),
        ("amount", "-5", "at least"),
        ("employees", "trois", "number"),
        ("employees", "-1", "at least"),
        ("start_date", "le 3 mars", "date"),
        ("sector", "pêche", "choice"),
        ("contact_email", "pas-un-courriel", "email"),
        ("contact_phone", "12345", "phone"),
        ("siren", "732829321", "SIREN"),
        ("siret", "73282932000075", "SIRET"),
        ("siret", "7328293200007", "14"),
        ("nir", "185046938112388", "key"),
        ("iban", "FR7630006000011234567890188", "IBAN"),
        ("iban", "FR76300060", "IBAN"),
        ("site__postal_code", "6900", "5 digits"),
        ("project", "", "required"),
    ],
)
def test_wrong_values_are_refused_on_their_field(field, value, says):
    with translation.override("en"):
        form = build_form_class(FULL_SCHEMA)(valid_post(**{field: value}), files())
        assert not form.is_valid()
        assert list(form.errors) == [field]
        assert says.lower() in " ".join(form.errors[field]).lower()


def test_a_required_file_is_required():
    form = build_form_class(FULL_SCHEMA)(valid_post(), files(quote=None))
    assert not form.is_valid()
    assert list(form.errors) == ["quote"]


def test_optional_fields_left_blank_store_empty_values():
    post = valid_post(
        employees="",
        start_date="",
        sector="",
        site__street="",
        site__postal_code="",
        site__city="",
        siren="",
        siret="",
        nir="",
        iban="",
        contact_email="",
        contact_phone="",
    )
    form = build_form_class(FULL_SCHEMA)(post, files(photo=None))
    assert form.is_valid(), form.errors
    data = cleaned_to_data(form)
    assert data["employees"] is None and data["start_date"] is None and data["site"] is None
    assert data["siret"] == "" and data["sector"] == ""
    assert [name for name, _checked in cleaned_files(form)] == ["quote"]


# ---------------------------------------------------------------------------
# Uploads refused by core.uploads.check_upload through the file fields
# ---------------------------------------------------------------------------


def file_errors(**file_overrides) -> str:
    form = build_form_class(FULL_SCHEMA)(valid_post(), files(**file_overrides))
    assert not form.is_valid()
    return " ".join(message for messages in form.errors.values() for message in messages)


def test_pdf_bytes_named_png_are_refused(pdf_bytes):
    errors = file_errors(photo=upload("photo.png", pdf_bytes, "image/png"))
    assert "photo.png" in errors


def test_png_bytes_named_pdf_are_refused(png_bytes):
    errors = file_errors(quote=upload("devis.pdf", png_bytes, "application/pdf"))
    assert "devis.pdf" in errors


def test_an_oversized_file_is_refused(settings, pdf_bytes):
    settings.LEVIER_UPLOAD_MAX_BYTES = 100
    errors = file_errors(quote=upload("devis.pdf", pdf_bytes))
    assert "devis.pdf" in errors


def test_an_empty_file_is_refused():
    form = build_form_class(FULL_SCHEMA)(valid_post(), files(quote=upload("devis.pdf", b"")))
    assert not form.is_valid()
    assert "quote" in form.errors


def test_an_unaccepted_type_is_refused():
    errors = file_errors(quote=upload("macro.exe", b"MZ\x90\x00binary"))
    assert "macro.exe" in errors


# ---------------------------------------------------------------------------
# Parsing and display
# ---------------------------------------------------------------------------


@given(st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=2, allow_nan=False))
def test_french_money_formatting_parses_back(amount):
    typed = format_money(amount).replace("\u00a0€", "")
    assert parse_french_decimal(typed) == amount


@given(st.text(max_size=20))
def test_the_decimal_parser_never_crashes(text):
    value = parse_french_decimal(text)
    assert value is None or isinstance(value, Decimal)


def test_display_rows_use_labels_and_french_formats():
    data = {
        "project": "Vitrine",
        "amount": "1234.5",
        "employees": 3,
        "start_date": "2026-03-01",
        "sector": "artisanat",
        "site": {"street": "1 rue X", "postal_code": "69001", "city": "Lyon"},
        "legacy": "ancien champ",
    }
    rows = {row.label: row.value for row in display_rows(FULL_SCHEMA, data)}
    assert rows["Montant demandé"] == "1\u202f234,50\u00a0€"
    assert rows["Date de début"] == "01/03/2026"
    assert rows["Secteur"] == "Artisanat"
    assert rows["Adresse du site"] == "1 rue X\n69001 Lyon"
    assert rows["SIREN"] == "—"
    assert rows["legacy"] == "ancien champ"
    assert "Devis" not in rows


def test_dates_typed_the_french_way_are_accepted():
    form = build_form_class(FULL_SCHEMA)(valid_post(start_date="01/03/2026"), files())
    assert form.is_valid(), form.errors
    assert form.cleaned_data["start_date"] == datetime.date(2026, 3, 1)


def test_schema_errors_are_in_french_by_default():
    with pytest.raises(ValidationError) as caught:
        validate_schema([{"name": "montant", "label": "Montant", "type": "monnaie"}])
    assert caught.value.messages == [
        "Champ « montant » (n° 1) : type « monnaie » inconnu ; utilisez l’un de "
        "text, number, money, date, choice, email, phone, address, siren, siret, nir, iban, file."
    ]
