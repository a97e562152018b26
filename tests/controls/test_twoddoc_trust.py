"""2D-Doc trust: the ANTS list and the signing certificates bundled with tddoc.

The real specimen is the vaccination 2D-Doc (type L1, authority FR03, certificate AV01)
that the TousAntiCovid iOS application's public source code (MPL-2.0) uses as its
simulator sample, in `FlashWalletCodeController.swift`: signed by a real ANTS
authority, not by the specification's test authority FR00.
"""

from __future__ import annotations

import datetime

import pytest
from cryptography.exceptions import InvalidSignature
from django.utils import translation

from levier.controls.reading.twoddoc import decode_and_verify
from levier.controls.reading.twoddoc_parse import parse
from levier.controls.reading.twoddoc_verify import (
    TrustStore,
    ants_roots,
    ants_signing_certificates,
    signed_within_validity,
    trust_store,
    verify,
)
from tests.controls.test_twoddoc_spec import FR00_CERTIFICATE, specimen

GS, US = "\x1d", "\x1f"

VACCINATION_FR03_AV01 = (
    "DC04FR03AV011E791E79L101FRL0PAVOINE" + GS + "L1EUGENE" + GS + "L219081951L3COVID-19" + GS
    + "L4J07BX03" + GS + "L5MODERNA" + GS + "L6MODERNA" + GS + "L72L82L924032021LATE" + US
    + "KWT3FZQ726IFU6RUYD2KLOVYJUS7TMUGRNJNG55DIAN5BTBBM2Q6V3YXGM6YKRZVSD5GZZPY3RH7Q"
    "NFFW5VZOT5MPULJOJBS7S567IA"
)  # fmt: skip

# Annex 16 of the specification: the V4 bailiff's deed (type 12) is signed by the test
# authority FR00 on 2018-02-06, after its certificate 0001 expired (2015-11-01).
BAILIFF_V4_SIGNED_2018 = specimen("12", "V4")


@pytest.fixture(scope="module")
def store() -> TrustStore:
    return trust_store([])


def test_the_bundled_signing_certificates_load_and_each_chains_to_its_authoritys_root(store):
    bundled = ants_signing_certificates()
    loaded = [(key, cert) for key, found in store.certificates.items() for cert in found]
    # tddoc 0.3.0 bundles 229 signing certificates; every one chains to an ANTS root.
    assert len(bundled) >= 200 and len(loaded) == len(bundled)
    for (authority, _certificate_id), certificate in loaded:
        assert not authority.endswith("00")
        issued = []
        for root in store.roots[authority]:
            try:
                certificate.verify_directly_issued_by(root)
            except (ValueError, TypeError, InvalidSignature):
                continue
            issued.append(root)
        assert issued, (authority, _certificate_id)
    assert {authority for (authority, _id), _cert in loaded} <= set(store.roots)


def test_a_test_authority_is_never_on_the_list_nor_bundled(store):
    assert not any(authority.endswith("00") for authority in store.roots)
    assert not any(authority.endswith("00") for authority, _id in store.certificates)


def test_a_real_fr03_2d_doc_was_not_checked_with_roots_only_and_is_genuine_now(store):
    document = parse(VACCINATION_FR03_AV01)
    roots_only = verify(document, TrustStore(roots=ants_roots()))
    assert roots_only.status == "unknown_certificate" and roots_only.authentic is None

    verification = verify(document, store)
    assert verification.status == "valid" and verification.authentic is True
    # AV01 expired in April 2024; the document was signed on 2021-05-11, within its validity.
    assert verification.certificate is not None
    assert verification.certificate.not_valid_after_utc < datetime.datetime(
        2024, 5, 1, tzinfo=datetime.UTC
    )
    assert document.header.signed_on == datetime.date(2021, 5, 11)
    assert verification.signed_within_validity is True

    reading = decode_and_verify(VACCINATION_FR03_AV01, store)
    assert (reading.authentic, reading.problem, reading.issuer) == (True, "", "FR03")


def test_a_real_2d_doc_with_one_character_changed_is_not_genuine(store):
    altered = VACCINATION_FR03_AV01.replace("PAVOINE", "PAVOINF")
    assert verify(parse(altered), store).status == "altered"
    assert decode_and_verify(altered, store).authentic is False


def test_a_signature_dated_outside_the_certificate_validity_is_genuine_with_a_remark(tmp_path):
    path = tmp_path / "fr00.pem"
    path.write_text(FR00_CERTIFICATE)
    fr00 = trust_store([f"FR00:{path}"], with_ants=False)
    verification = verify(parse(BAILIFF_V4_SIGNED_2018), fr00)
    assert verification.status == "valid" and verification.signed_within_validity is False

    with translation.override("en"):
        reading = decode_and_verify(BAILIFF_V4_SIGNED_2018, fr00)
    assert reading.authentic is True
    assert "signed on Feb. 6, 2018, outside the validity of certificate 0001 of FR00" in (
        reading.problem
    )
    assert "(Nov. 1, 2012 to Nov. 1, 2015)" in reading.problem


def test_an_undated_signature_is_not_judged_against_the_validity(store):
    certificate = store.lookup("FR03", "AV01")[0]
    assert signed_within_validity(certificate, None) is None
    assert signed_within_validity(certificate, datetime.date(2021, 4, 22)) is True  # first day
    assert signed_within_validity(certificate, datetime.date(2025, 1, 1)) is False


def test_the_case_panel_shows_the_remark_of_a_genuine_2d_doc():
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    remark = "signed on 6 February 2018, outside the validity of certificate 0001"
    check = SimpleNamespace(
        document_id=1,
        document=SimpleNamespace(original_name="acte.pdf"),
        outcome="matches",
        two_d_doc={"authentic": True, "problem": remark},
        warnings=[],
    )
    panel = SimpleNamespace(flags=[], failed_rules=[], checks=[SimpleNamespace(check=check)])
    with translation.override("en"):
        html = render_to_string(
            "controls/_case_controls.html", {"panel": panel, "case": SimpleNamespace(pk=1)}
        )
    assert "Genuine 2D-Doc" in html and remark in html
