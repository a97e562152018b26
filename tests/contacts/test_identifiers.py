import pytest
from django import forms
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir

from levier.contacts.identifiers import (
    VALIDATORS,
    IdentifierField,
    company_siren,
    normalise_iban,
    normalise_nir,
    normalise_phone,
    normalise_siren,
    normalise_siret,
    normalise_vat,
)

from .numbers import IBAN, NIR, OTHER_NIR, SIREN, SIRET, VAT


def error_of(normalise, value: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        normalise(value)
    return caught.value


# --- valid numbers, as people type them ------------------------------------------


@pytest.mark.parametrize(
    ("normalise", "typed", "expected"),
    [
        (normalise_siren, "732 829 320", SIREN),
        (normalise_siren, "732.829.320", SIREN),
        (normalise_siret, "732 829 320 00074", SIRET),
        (normalise_siret, "35600000000048", "35600000000048"),  # La Poste head office
        (normalise_nir, "1 85 04 69 381 123 87", NIR),
        (normalise_nir, "2 90 02 2a 004 123 04", OTHER_NIR),
        (normalise_iban, "fr76 3000 6000 0112 3456 7890 189", IBAN),
        (normalise_iban, "DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        (normalise_vat, "fr 44 732 829 320", VAT),
        (normalise_vat, "44732829320", VAT),
        (normalise_phone, "06 12 34 56 78", "0612345678"),
        (normalise_phone, "06.12.34.56.78", "0612345678"),
        (normalise_phone, "+33 6 12 34 56 78", "0612345678"),
        (normalise_phone, "+33 (0)1 23 45 67 89", "0123456789"),
        (normalise_phone, "0033 1 23 45 67 89", "0123456789"),
        (normalise_phone, "+262 262 12 34 56", "0262123456"),
    ],
)
def test_valid_numbers_are_normalised(normalise, typed, expected):
    assert normalise(typed) == expected


def test_no_break_spaces_of_french_typography_are_separators():
    assert normalise_siret("732\u00a0829\u202f320 00074") == SIRET


# --- invalid numbers: one message per problem, with the fix ----------------------


@pytest.mark.parametrize(
    ("normalise", "typed", "code", "message"),
    [
        (normalise_siren, "73282932", "length", "The SIREN must have 9 digits; you typed 8."),
        (
            normalise_siren,
            "732829321",
            "checksum",
            "This SIREN does not exist: the check digit is wrong. Check for a typing error.",
        ),
        (normalise_siren, "73282932O", "format", "The SIREN has digits only: remove “O”."),
        (
            normalise_siret,
            "7328293200007",
            "length",
            "The SIRET must have 14 digits; you typed 13.",
        ),
        (
            normalise_siret,
            "73282932000075",
            "checksum",
            "This SIRET does not exist: the check digit is wrong. Check for a typing error.",
        ),
        (normalise_siret, "732829320OOO74", "format", "The SIRET has digits only: remove “O”."),
        (
            normalise_nir,
            "18504693811238",
            "length",
            "The social security number must have 15 digits, key included; you typed 14.",
        ),
        (
            normalise_nir,
            "185046938112388",
            "checksum",
            "This social security number does not exist: the key (last 2 digits) is wrong. "
            "Check for a typing error.",
        ),
        (normalise_nir, "585046938112387", "format", None),
        (normalise_nir, "1850469381123X7", "format", None),
        (
            normalise_iban,
            "FR7630006000011234567890",
            "length",
            "An IBAN starting with FR has 27 characters; you typed 24.",
        ),
        (
            normalise_iban,
            "FR7730006000011234567890189",
            "checksum",
            "This IBAN does not exist: the check digits are wrong. Check for a typing error.",
        ),
        (normalise_iban, "7630006000011234567890189", "format", None),
        (normalise_iban, "ZZ7630006000011234567890189", "country", None),
        (normalise_vat, "FR4473282932", "length", None),
        (
            normalise_vat,
            "FR45732829320",
            "checksum",
            "This VAT number does not exist: its key does not match its SIREN. "
            "Check for a typing error.",
        ),
        (normalise_vat, "FR44732829321", "checksum", None),
        (normalise_vat, "BE0123456749", "country", None),
        (normalise_phone, "06 12 34 56 7", "length", None),
        (normalise_phone, "6 12 34 56 78", "format", None),
        (normalise_phone, "+44 20 7946 0958", "country", None),
        (normalise_phone, "06 12 AB 56 78", "format", None),
        (normalise_phone, "0012345678", "country", None),
    ],
)
def test_invalid_numbers_say_what_is_wrong(normalise, typed, code, message):
    error = error_of(normalise, typed)
    assert error.code == code
    if message:
        assert error.messages == [message]


def test_checksum_and_length_messages_differ():
    length = error_of(normalise_siret, "1234").messages[0]
    checksum = error_of(normalise_siret, "73282932000075").messages[0]
    assert "14 digits" in length and "you typed 4" in length
    assert "check digit" in checksum and "typing error" in checksum


# --- the form field used by the procedure form builder ---------------------------


def test_validators_map_every_type_to_a_normaliser():
    assert set(VALIDATORS) == {"siren", "siret", "nir", "iban", "vat", "phone"}
    assert VALIDATORS["siret"]("732 829 320 00074") == SIRET


def test_identifier_field_cleans_to_the_normalised_number():
    class Form(forms.Form):
        siret = IdentifierField(kind="siret")
        iban = IdentifierField(kind="iban", required=False)

    form = Form(data={"siret": "732 829 320 00074", "iban": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"siret": SIRET, "iban": ""}

    form = Form(data={"siret": "732 829 320", "iban": "FR76"})
    assert not form.is_valid()
    assert form.errors["siret"] == ["The SIRET must have 14 digits; you typed 9."]
    assert "27 characters" in form.errors["iban"][0]


def test_identifier_field_has_not_changed_when_only_the_spacing_did():
    field = IdentifierField(kind="siret")
    assert not field.has_changed(SIRET, "732 829 320 00074")
    assert field.has_changed(SIRET, "73282932000017")


# --- company identifiers must agree ----------------------------------------------


def test_company_siren_is_derived_from_siret_or_vat():
    assert company_siren(siret=SIRET) == SIREN
    assert company_siren(vat_number=VAT) == SIREN
    assert company_siren(siren=SIREN, siret=SIRET, vat_number=VAT) == SIREN


def test_company_siren_refuses_a_siret_of_another_company():
    with pytest.raises(ValidationError) as caught:
        company_siren(siren="404833048", siret=SIRET, vat_number=VAT)
    assert set(caught.value.error_dict) == {"siret", "vat_number"}


# --- properties ------------------------------------------------------------------

separators = st.sampled_from(["", " ", ".", "\u00a0", "-"])


def scatter(number: str, data) -> str:
    """The number with separators between its characters, as people type it."""
    return "".join(char + data.draw(separators) for char in number)


@given(body=st.text(alphabet="0123456789", min_size=8, max_size=8), data=st.data())
def test_a_valid_siren_however_typed_normalises_to_itself(body, data):
    siren = body + luhn.calc_check_digit(body)
    assert normalise_siren(scatter(siren, data)) == siren
    assert normalise_siren(siren) == siren


@given(body=st.text(alphabet="0123456789", min_size=13, max_size=13), data=st.data())
def test_a_valid_siret_however_typed_normalises_to_itself(body, data):
    siret = body + luhn.calc_check_digit(body)
    try:
        expected = normalise_siret(siret)
    except ValidationError as error:  # its first 9 digits are not a valid SIREN
        assert error.code == "checksum"
        return
    assert normalise_siret(scatter(siret, data)) == expected == siret


@given(
    sex=st.sampled_from("12"),
    body=st.text(alphabet="0123456789", min_size=12, max_size=12),
    data=st.data(),
)
def test_a_valid_nir_however_typed_normalises_to_itself(sex, body, data):
    number = sex + body
    nir = number + stdnum_nir.calc_check_digits(number + "00")
    assert normalise_nir(scatter(nir, data)) == nir


@given(bban=st.text(alphabet="0123456789", min_size=23, max_size=23), data=st.data())
def test_a_valid_french_iban_however_typed_normalises_to_itself(bban, data):
    iban = "FR" + stdnum_iban.calc_check_digits("FR00" + bban) + bban
    assert normalise_iban(scatter(iban.lower(), data)) == iban


@given(
    subscriber=st.text(alphabet="0123456789", min_size=8, max_size=8),
    area=st.sampled_from("123456789"),
)
def test_national_and_international_phone_forms_agree(subscriber, area):
    national = "0" + area + subscriber
    assert normalise_phone(national) == national
    assert normalise_phone("+33 " + area + " " + subscriber) == national


@given(
    kind=st.sampled_from(sorted(VALIDATORS)), typed=st.text(alphabet="0123456789 .-", max_size=30)
)
def test_digit_strings_validate_or_raise_a_validation_error(kind, typed):
    try:
        normalised = VALIDATORS[kind](typed)
    except ValidationError as error:
        assert error.messages and error.code
    else:
        assert VALIDATORS[kind](normalised) == normalised


@given(kind=st.sampled_from(sorted(VALIDATORS)), typed=st.text(max_size=40))
def test_any_text_validates_or_raises_a_validation_error(kind, typed):
    try:
        VALIDATORS[kind](typed)
    except ValidationError as error:
        assert error.messages
