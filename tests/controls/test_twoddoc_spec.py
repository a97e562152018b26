"""2D-Doc as the ANTS specification defines it: header, fields, signature, trust.

The specimens are the specification's own reference codes (ANTS, "Spécifications
techniques des codes à barres 2D-Doc" v3.2.6, annex 16), signed with its public test
certificate (authority FR00, certificate 0001), reproduced below.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from levier.controls.reading.twoddoc import decode_and_verify, levier_fields
from levier.controls.reading.twoddoc_parse import (
    TwoDDocError,
    ddmmyyyy_date,
    encode_hex_date,
    hex_date,
    parse,
)
from levier.controls.reading.twoddoc_spec import DOCUMENT_TYPES, FIELDS
from levier.controls.reading.twoddoc_verify import parse_tsl, trust_store, verify
from levier.demo import twoddoc

GS, RS, US = "\x1d", "\x1e", "\x1f"

# Annex 16.1 of the specification: the test certificate of authority FR00, id 0001.
FR00_CERTIFICATE = """-----BEGIN CERTIFICATE-----
MIICVzCCAT8CCQCpMEvcR9M4RTANBgkqhkiG9w0BAQUFADBPMQswCQYDVQQGEwJG
UjETMBEGA1UECgwKQUMgREUgVEVTVDEcMBoGA1UECwwTMDAwMiAwMDAwMDAwMDAw
MDAwMDENMAsGA1UEAwwERlIwMDAeFw0xMjExMDExMzQ3NDZaFw0xNTExMDExMzQ3
NDZaMFcxCzAJBgNVBAYTAkZSMRswGQYDVQQKDBJDRVJUSUZJQ0FUIERFIFRFU1Qx
HDAaBgNVBAsMEzAwMDIgMDAwMDAwMDAwMDAwMDAxDTALBgNVBAMMBDAwMDEwWTAT
BgcqhkjOPQIBBggqhkjOPQMBBwNCAASpjw18zWKAiJO+xNQ2550YNKHW4AHXDxxM
3M2dni/iKfckBRTo3cDKmNDHRAycxJKEmg+9pz/DkvTaCuB/hMI8MA0GCSqGSIb3
DQEBBQUAA4IBAQA6HN+w/bzIdg0ZQF+ELrocplehP7r5JuRJNBAgmoqoER7IonCv
KSNUgUVbJ/MB4UKQ6CgzK7AOlCpiViAnBv+i6fg8Dh9evoUcHBiDvbl19+4iREaO
oyVZ8RAlkp7VJKrC3s6dJEmI8/19obLbTvdHfY+TZfduqpVl63RSxwLG0Fjl0SAQ
z9a+KJSKZnEvT9I0iUUgCSnqFt77RSppziQTZ+rkWcfd+BSorWr8BHqOkLtj7EiV
amIh+g3A8JtwV7nm+NUbBlhh2UPSI0eevsRjQRghtTiEn0wflVBX7xFP9zXpViHq
Ij+R9WiXzWGFYyKuAFK1pQ2QH8BxCbvdNdff
-----END CERTIFICATE-----
"""

# Annex 16.2.3: an energy bill (type 01), format V2.
INVOICE_V2 = (
    "DC02FR000001125E125B0126FR247500010MME/SPECIMEN/NATACHA" + GS
    + "22145 AVENUE DES SPECIMENS" + GS + US
    + "54LDD5F7JD4JEFPR6WZYVZVB2JZXPZB73SP7WUTN5N44P3GESXW75JZUZD5FM3G4URAJ6IKDSSUB66Y3OWQIEH"
    "22G46QOAGWH7YHJWQ"
)  # fmt: skip
# The specification's own customs specimens write the EORI (DH, DP, DW; 0 to 20
# characters in section 7.12) as 17 characters without <GS>: the table is followed, so
# the next field is misread there, but the signature, over the raw bytes, still holds.
CUSTOMS_EORI_AS_FIXED = {"C3", "C5", "C6"}
SPECIMENS = json.loads((Path(__file__).parent / "test_twoddoc_specimens.json").read_text())


def specimen(type_code: str, version: str) -> str:
    return next(
        s["message"]
        for s in SPECIMENS
        if s["type"].startswith(type_code) and s["format"] == version
    )


@pytest.fixture(scope="module")
def fr00_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fr00") / "fr00-0001.pem"
    path.write_text(FR00_CERTIFICATE)
    return path


@pytest.fixture(scope="module")
def test_store(fr00_path):
    return trust_store([f"FR00:{fr00_path}"])


# ---------------------------------------------------------------------------
# The specification's specimens
# ---------------------------------------------------------------------------


def test_the_v2_invoice_specimen_decodes_header_and_every_field():
    document = parse(INVOICE_V2)
    header = document.header
    assert (header.version, header.authority, header.certificate) == (2, "FR00", "0001")
    assert header.issued_on == datetime.date(2012, 11, 15)
    assert header.signed_on == datetime.date(2012, 11, 12)
    assert (header.doc_type, header.perimeter, header.country) == ("01", "01", "")
    assert header.doc_type_label.startswith("Facture")
    assert [(f.id, f.text) for f in document.fields] == [
        ("26", "FR"),
        ("24", "75000"),
        ("10", "MME/SPECIMEN/NATACHA"),
        ("22", "145 AVENUE DES SPECIMENS"),
    ]
    assert document.message == INVOICE_V2.partition(US)[0].encode()
    assert len(document.signature) == 64 and document.problems == ()
    assert levier_fields(document) == {
        "holder": "SPECIMEN NATACHA",
        "address": "145 AVENUE DES SPECIMENS",
        "postal_code": "75000",
        "issued_on": "2012-11-15",
    }


def test_the_specimen_verifies_with_the_test_certificate_and_one_character_breaks_it(
    test_store,
):
    assert verify(parse(INVOICE_V2), test_store).status == "valid"
    altered = INVOICE_V2.replace("145 AVENUE", "146 AVENUE")
    verification = verify(parse(altered), test_store)
    assert verification.status == "altered" and verification.authentic is False


def test_the_test_authority_is_never_trusted_by_default():
    verification = verify(parse(INVOICE_V2), trust_store([]))
    assert verification.status == "unknown_authority" and verification.authentic is False


def test_levier_reading_says_altered_and_unknown_authority(settings, fr00_path):
    settings.LEVIER_2DDOC_TRUSTED_CERTIFICATES = [f"FR00:{fr00_path}"]
    assert decode_and_verify(INVOICE_V2.encode("latin-1")).authentic is True
    altered = decode_and_verify(INVOICE_V2.replace("SPECIMENS", "SPECIMENZ"))
    assert altered.authentic is False and altered.problem and "FR00" not in altered.problem
    settings.LEVIER_2DDOC_TRUSTED_CERTIFICATES = []
    unknown = decode_and_verify(INVOICE_V2)
    assert unknown.authentic is False and "FR00" in unknown.problem


@pytest.mark.parametrize("item", SPECIMENS, ids=lambda s: f"{s['format']}-{s['type'][:2]}")
def test_every_reference_specimen_parses_and_verifies(item, test_store):
    document = parse(item["message"])
    assert document.header.doc_type == item["type"][:2]
    assert document.header.version == int(item["format"][1])
    if item["type"][:2] not in CUSTOMS_EORI_AS_FIXED:
        assert all(f.spec is not None for f in document.fields)
    assert verify(document, test_store).status == "valid"


def test_tax_notice_specimen_every_field():
    document = parse(specimen("04", "V4"))
    header = document.header
    assert (header.version, header.doc_type, header.perimeter, header.country) == (
        4,
        "04",
        "01",
        "FR",
    )
    assert header.issued_on is None  # FFFF: a tax notice is undated in the header
    assert header.signed_on == datetime.date(2022, 3, 24)
    assert document.texts() == {
        "43": "2,75",
        "44": "2278012345678",
        "45": "2021",
        "46": "RETI PATRICK",
        "4A": "31072022",
        "41": "63198",
        "47": "3001123456789",
        "48": "RETI SOPHIE",
        "49": "0701987765432",
    }
    assert document.value("43") == Decimal("2.75")
    assert document.value("4A") == datetime.date(2022, 7, 31)
    assert levier_fields(document) == {
        "notice_reference": "2278012345678",
        "reference_tax_income": "63198.00",
        "parts": "2.75",
        "income_year": "2021",
        "tax_year": "2022",
        "declarants": "RETI PATRICK ET RETI SOPHIE",
        "tax_number": "3001123456789",
    }
    asdir = parse(specimen("18", "V4"))  # avis de situation déclarative: same fields
    assert levier_fields(asdir)["reference_tax_income"] == "63198.00"
    assert asdir.value("4B") == datetime.date(2022, 4, 30)


def test_payslip_specimen_fixed_lengths_follow_each_other():
    document = parse(specimen("06", "V3"))
    assert document.texts() == {
        "10": "M/EXEMPLE/HENRY",
        "50": "00000000000000",
        "51": "0157,5",
        "52": "00934,5",
        "53": "1231",
        "54": "124F",
        "55": "15032012",
        "58": "1319,24",
        "59": "9894,3",
    }
    assert document.value("53") == datetime.date(2012, 10, 1)
    assert document.value("54") == datetime.date(2012, 10, 31)
    assert document.value("58") == Decimal("1319.24")
    fields = levier_fields(document)
    assert fields["employee_name"] == "EXEMPLE HENRY" and fields["period"] == "2012-10"


def test_bank_specimens():
    rib = levier_fields(parse(specimen("03", "V2")))
    assert rib == {
        "holder": "M EXEMPLE HENRY ET MME SPECIMEN NATACHA",
        "iban": "FR7030002005500000157845Z02",
        "bic": "CRLYFRPP",
    }
    statement = parse(specimen("11", "V3"))
    assert statement.value("36") == datetime.date(2012, 9, 1)
    assert statement.value("38") == Decimal("-234.78")


# ---------------------------------------------------------------------------
# Header and fields
# ---------------------------------------------------------------------------


def test_hex_dates():
    assert hex_date("0000") == datetime.date(2000, 1, 1)
    assert hex_date("111E") == datetime.date(2011, 12, 31)  # the specification's example
    assert hex_date("FFFF") is None and hex_date("12G4") is None
    assert encode_hex_date(datetime.date(2012, 11, 15)) == "125E"
    assert encode_hex_date(None) == "FFFF"
    assert ddmmyyyy_date("31022020") is None and ddmmyyyy_date("29022020")


def test_header_lengths_by_version():
    v3 = parse("DC03FR0AXT4A0E840E8A0101" + "26FR")
    assert (v3.header.length, v3.header.perimeter, v3.header.country) == (24, "01", "")
    assert v3.header.issued_on == datetime.date(2010, 3, 5)
    v4 = parse("DC04FR0AXT4A0E840E8A0101FR" + "26FR")
    assert (v4.header.length, v4.header.country, v4.texts()) == (26, "FR", {"26": "FR"})
    undated = parse("DC04FR0AXT4AFFFFFFFF0401FR")
    assert undated.header.issued_on is None and undated.header.signed_on is None


def test_variable_field_ends_at_its_maximum_length_without_separator():
    # 24 is fixed (5), 25 variable up to 32: at 32 characters the next id follows directly.
    city = "A" * 32
    document = parse("DC04FR000001FFFFFFFF0101FR" + "2475001" + "25" + city + "26FR")
    assert document.texts() == {"24": "75001", "25": city, "26": "FR"}


def test_truncated_value_and_annex():
    document = parse(
        "DC04FR000001FFFFFFFF0101FR25MARSE" + RS + "26FR" + US + "AAAAAAAA" + GS + "01ABC"
    )
    assert document.fields[0].truncated and document.fields[0].text == "MARSE"
    assert [(f.id, f.text) for f in document.annex] == [("01", "ABC")]
    assert document.message.endswith(b"26FR")


def test_a_number_in_exponent_form_is_kept_as_read():
    document = parse("DC04FR000001FFFFFFFF0401FR" + "411E999999" + GS + "432,5")
    assert levier_fields(document)["reference_tax_income"] == "1E999999"


def test_unknown_identifier_is_a_problem_not_an_error():
    document = parse("DC04FR000001FFFFFFFF0101FR" + "ZZHELLO" + GS + "26FR")
    assert document.texts() == {"ZZ": "HELLO", "26": "FR"}
    assert document.problems and "ZZ" in document.problems[0]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"XX02FR000001125E125B01", "DC"),
        (b"DC09FR000001125E125B01", "version"),
        (b"DC02FR000001125E", "truncated header"),
        (b"DC02FR00000112ZE125B01", "date"),
        (b"DC02fr000001125E125B01", "A-Z"),
        (b"DC02FR000001125E125B012475", "fixed length of 5"),
        (b"DC02FR000001125E125B0124750" + GS.encode() + b"01", "fixed length"),
        (b"DC02FR000001125E125B012", "identifier"),
        (b"DC02FR000001125E125B01$$AB", "not a field identifier"),
        (bytes([0xDC, 0x04]) + b"\x7b\xa7", "binary"),
        (b"DC02" + b"A" * 9000, "too long"),
    ],
)
def test_malformed_content_raises_a_clear_error(content, reason):
    with pytest.raises(TwoDDocError, match=reason):
        parse(content)


def test_malformed_signature_keeps_the_fields(test_store):
    document = parse(INVOICE_V2.partition(US)[0] + US + "NOT BASE32!")
    assert document.signature == b"" and "malformed" in document.signature_problem
    assert verify(document, test_store).status == "unverifiable"
    assert verify(document, test_store).authentic is None


def test_version_01_is_read_but_its_binary_signature_is_not(test_store):
    document = parse("DC01FR000001125E125B0126FR2475000")
    assert document.texts() == {"26": "FR", "24": "75000"}
    assert verify(document, test_store).status == "unverifiable"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_arbitrary_bytes_raise_only_the_parsers_error(content):
    try:
        parse(content)
    except TwoDDocError:
        pass


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(
        ["DC02FR000001125E125B01", "DC03FR000001FFFF125B0401", "DC04FR000001125E125B0601FR"]
    ),
    st.text(
        alphabet=st.sampled_from(list("0123456789ABEZ ,./-" + GS + RS + US + "=")), max_size=120
    ),
)
def test_arbitrary_messages_after_a_valid_header_never_crash(header, data):
    try:
        document = parse(header + data)
    except TwoDDocError:
        return
    levier_fields(document)  # typed values and mapping never raise either
    for item in document.fields:
        item.value()


# ---------------------------------------------------------------------------
# Trust
# ---------------------------------------------------------------------------


def test_an_ants_authority_without_its_signing_certificate_cannot_be_checked():
    store = trust_store([])
    assert {"FR01", "FR03", "FR04", "FR05", "FR06", "FR07", "FR09"} <= set(store.roots)
    assert store.lookup("FR03", "ZZZ9") == []  # no such signing certificate is bundled
    message = INVOICE_V2.replace("FR000001", "FR03ZZZ9")
    verification = verify(parse(message), store)
    assert verification.status == "unknown_certificate" and verification.authentic is None
    reading = decode_and_verify(message, store)
    assert reading.authentic is None and "ZZZ9" in reading.problem


def test_a_configured_certificate_for_an_ants_authority_must_chain_to_its_root(tmp_path):
    authority = twoddoc.DemoAuthority.load_or_create(tmp_path)
    store = trust_store([f"FR03:{authority.certificate_path}"])
    assert store.lookup("FR03", "0001") == []  # self-signed: not issued by FR03's root
    assert not any(authority.certificate in found for found in store.certificates.values())


def test_certificate_ids_select_the_certificate(fr00_path, tmp_path):
    # id read from the common name
    by_name = trust_store([f"FR00:{fr00_path}"], with_ants=False)
    assert list(by_name.certificates) == [("FR00", "0001")]
    other = trust_store([f"FR00/0002:{fr00_path}"])
    assert verify(parse(INVOICE_V2), other).status == "unknown_certificate"
    assert trust_store(["FR0:/nowhere", "FR00:/nowhere"], with_ants=False).certificates == {}


def test_the_trust_list_never_yields_a_test_authority():
    xml = (
        '<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"><TrustServiceProviderList>'
        "<TrustServiceProvider><TSPInformation><TSPTradeName><Name>FR00</Name></TSPTradeName>"
        "</TSPInformation><TSPServices><TSPService><ServiceInformation><ServiceDigitalIdentity>"
        "<DigitalId><X509Certificate>"
        + "".join(FR00_CERTIFICATE.splitlines()[1:-1])
        + "</X509Certificate></DigitalId></ServiceDigitalIdentity></ServiceInformation>"
        "</TSPService></TSPServices></TrustServiceProvider></TrustServiceProviderList>"
        "</TrustServiceStatusList>"
    )
    assert parse_tsl(xml.encode()) == {}


# ---------------------------------------------------------------------------
# The tables, checked against the specification (sections 6.1 and 7)
# ---------------------------------------------------------------------------


def test_document_types_levier_compares():
    expected = {
        "00": (True, "Justificatif de domicile"),
        "01": (True, "Facture"),
        "02": (True, "Avis de taxe"),
        "03": (False, "Relevé d\u2019identité bancaire"),
        "04": (False, "Avis d\u2019impôt sur les revenus"),
        "05": (False, "Relevé d\u2019identité SEPAmail"),
        "06": (True, "Bulletin de salaire"),
        "11": (True, "Relevé de compte"),
        "18": (False, "Avis de situation déclarative"),
    }
    for code, (dated, label) in expected.items():
        assert DOCUMENT_TYPES[code].dated is dated
        assert DOCUMENT_TYPES[code].label.startswith(label)
    assert len(DOCUMENT_TYPES) == 44


@pytest.mark.parametrize(
    ("field_id", "minimum", "maximum", "encoding", "name"),
    [
        ("01", 0, None, "text", "document_id"),
        ("10", 0, 38, "text", "beneficiary_address_line_1"),
        ("22", 0, 38, "text", "service_address_line_4"),
        ("24", 5, 5, "digits", "service_postal_code"),
        ("25", 0, 32, "digits", "service_locality"),
        ("26", 2, 2, "text", "service_country"),
        ("30", 0, 140, "text", "account_holder"),
        ("31", 14, 38, "text", "iban"),
        ("32", 8, 11, "text", "bic"),
        ("36", 4, 4, "date_hex", "period_start"),
        ("38", 0, 11, "decimal", "opening_balance"),
        ("41", 0, 12, "decimal", "reference_tax_income"),
        ("43", 1, 5, "decimal", "parts"),
        ("44", 13, 13, "text", "notice_reference"),
        ("45", 4, 4, "digits", "income_year"),
        ("46", 0, 38, "text", "declarant_1"),
        ("47", 13, 13, "digits", "declarant_1_tax_number"),
        ("48", 0, 38, "text", "declarant_2"),
        ("4A", 8, 8, "date_ddmmyyyy", "collection_date"),
        ("50", 14, 14, "digits", "employer_siret"),
        ("53", 4, 4, "date_hex", "pay_period_start"),
        ("54", 4, 4, "date_hex", "pay_period_end"),
        ("55", 8, 8, "date_ddmmyyyy", "contract_start"),
        ("58", 0, 11, "decimal", "net_taxable_pay"),
        ("5A", 0, 11, "decimal", "gross_pay"),
        ("5C", 0, 11, "decimal", "net_pay"),
    ],
)
def test_field_identifiers(field_id, minimum, maximum, encoding, name):
    spec = FIELDS[field_id]
    assert (spec.min_length, spec.max_length, spec.encoding, spec.name) == (
        minimum,
        maximum,
        encoding,
        name,
    )
    assert spec.fixed is (minimum == maximum)


def test_the_table_has_every_identifier_of_the_perimeter():
    assert len(FIELDS) == 337
    assert all(len(key) == 2 and key.isalnum() and key.upper() == key for key in FIELDS)
