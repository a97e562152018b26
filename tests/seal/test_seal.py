import shlex
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pypdf
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers

from levier.documents.seal import (
    SEAL_FIELD_NAME,
    AlreadySealed,
    SealConfig,
    seal_pdf,
    sealing_enabled,
    verify_seal,
)

from .conftest import KEY_PASSWORD

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _english():
    # The summaries are translatable; the tests read their English msgids.
    with translation.override("en"):
        yield


def test_sealed_pdf_is_valid_intact_and_trusted_by_the_test_root(pdf, sealed, authority):
    check = verify_seal(sealed, trust_roots=[authority.root_cert])

    assert (check.valid, check.intact, check.trusted) == (True, True, True)
    assert "Sceau levier" in check.signer
    assert "Direction de démonstration levier" in check.signer
    assert check.signed_at is not None
    assert check.field_name == SEAL_FIELD_NAME
    assert check.summary.startswith("Valid seal of Sceau levier, Direction de démonstration levier")
    assert sealed.startswith(pdf)  # an incremental update: the original bytes are untouched


def test_trust_roots_may_be_given_as_bytes(sealed, authority):
    check = verify_seal(sealed, trust_roots=[authority.root_cert.read_bytes()])

    assert check.valid


def test_seal_is_untrusted_under_another_root(sealed, rogue):
    check = verify_seal(sealed, trust_roots=[rogue.root_cert])

    assert check.intact
    assert not check.trusted
    assert not check.valid
    assert "not from a trusted authority" in check.summary


def test_seal_records_reason_and_location(sealed):
    (embedded,) = PdfFileReader(BytesIO(sealed)).embedded_signatures

    assert embedded.sig_object["/Reason"] == "Document scellé par l'administration"
    assert embedded.sig_object["/Location"] == "Lyon"
    assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"


def test_a_byte_changed_in_the_sealed_content_breaks_the_seal(pdf, sealed, authority):
    # Flip one byte inside the first stream of the original document (same length,
    # so the file still parses).
    position = pdf.index(b"stream\n") + len(b"stream\n") + 5
    tampered = bytearray(sealed)
    tampered[position] ^= 0x01

    check = verify_seal(bytes(tampered), trust_roots=[authority.root_cert])

    assert not check.intact
    assert not check.valid
    assert check.summary == "The document was modified after it was sealed."


def test_a_page_changed_in_a_later_update_breaks_the_seal(sealed, authority):
    writer = IncrementalPdfFileWriter(BytesIO(sealed))
    overlay = writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 0 0 200 200 re f"))
    writer.add_stream_to_page(0, overlay)
    out = BytesIO()
    writer.write(out)

    check = verify_seal(out.getvalue(), trust_roots=[authority.root_cert])

    assert not check.intact
    assert not check.valid
    assert check.summary == "The document was modified after it was sealed."
    assert "Sceau levier" in check.signer


def test_a_pdf_without_signature_has_no_seal(pdf, authority):
    check = verify_seal(pdf, trust_roots=[authority.root_cert])

    assert not check.valid
    assert check.summary == "No seal"
    assert check.signer == ""


def test_garbage_is_not_a_seal(authority):
    check = verify_seal(b"not a pdf", trust_roots=[authority.root_cert])

    assert not check.valid
    assert check.summary == "The seal cannot be read."


def test_sealed_pdf_still_opens_with_pypdf_and_keeps_its_text(sealed):
    reader = pypdf.PdfReader(BytesIO(sealed))

    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Attestation de dépôt" in text
    assert "Dossier 2025-0042" in text


def test_sealing_twice_is_refused_and_keeps_the_first_seal(sealed, authority):
    with pytest.raises(AlreadySealed, match="déjà le sceau levier"):
        seal_pdf(sealed, config=authority.config())

    assert verify_seal(sealed, trust_roots=[authority.root_cert]).valid


def test_a_later_signature_by_someone_else_keeps_the_seal_intact(sealed, authority, rogue):
    other = signers.SimpleSigner.load(str(rogue.org_key), str(rogue.org_cert))
    writer = IncrementalPdfFileWriter(BytesIO(sealed))
    cosigned = signers.sign_pdf(
        writer, signers.PdfSignatureMetadata(field_name="Cosignature"), signer=other
    ).getvalue()

    check = verify_seal(cosigned, trust_roots=[authority.root_cert])

    assert check.field_name == SEAL_FIELD_NAME
    assert check.valid and check.intact


def test_encrypted_key_with_its_password_seals(pdf, protected_authority):
    config = protected_authority.config(key_password=KEY_PASSWORD)

    sealed = seal_pdf(pdf, config=config)

    assert verify_seal(sealed, trust_roots=[protected_authority.root_cert]).valid


def test_chain_file_is_accepted(pdf, authority):
    sealed = seal_pdf(pdf, config=authority.config(chain_file=authority.root_cert))

    assert verify_seal(sealed, trust_roots=[authority.root_cert]).valid


# --- configuration ---------------------------------------------------------------------


def test_sealing_is_off_by_default(settings, pdf):
    settings.LEVIER_SEAL_KEY_FILE = ""
    settings.LEVIER_SEAL_CERT_FILE = ""

    assert not sealing_enabled()
    with pytest.raises(ImproperlyConfigured, match="LEVIER_SEAL_KEY_FILE"):
        seal_pdf(pdf)


def test_seal_reads_the_settings(settings, pdf, authority):
    settings.LEVIER_SEAL_KEY_FILE = str(authority.org_key)
    settings.LEVIER_SEAL_CERT_FILE = str(authority.org_cert)
    settings.LEVIER_SEAL_CHAIN_FILE = ""
    settings.LEVIER_SEAL_KEY_PASSWORD = ""
    settings.LEVIER_SEAL_REASON = "Attestation officielle"
    settings.LEVIER_SEAL_LOCATION = "Villeurbanne"

    assert sealing_enabled()
    sealed = seal_pdf(pdf)

    (embedded,) = PdfFileReader(BytesIO(sealed)).embedded_signatures
    assert embedded.sig_object["/Reason"] == "Attestation officielle"
    assert embedded.sig_object["/Location"] == "Villeurbanne"
    assert verify_seal(sealed, trust_roots=[authority.root_cert]).valid


def test_a_certificate_without_key_is_refused(settings, pdf, authority):
    settings.LEVIER_SEAL_KEY_FILE = ""
    settings.LEVIER_SEAL_CERT_FILE = str(authority.org_cert)

    assert sealing_enabled()  # half configured: an error, not a silent unsealed PDF
    with pytest.raises(ImproperlyConfigured, match="LEVIER_SEAL_KEY_FILE n'est pas défini"):
        seal_pdf(pdf)


def test_missing_key_file_names_the_variable(pdf, authority, tmp_path):
    config = SealConfig(key_file=tmp_path / "absent.pem", cert_file=authority.org_cert)

    with pytest.raises(ImproperlyConfigured, match="LEVIER_SEAL_KEY_FILE.*absent.pem"):
        seal_pdf(pdf, config=config)


def test_missing_cert_file_names_the_variable(pdf, authority, tmp_path):
    config = SealConfig(key_file=authority.org_key, cert_file=tmp_path / "absent.pem")

    with pytest.raises(ImproperlyConfigured, match="LEVIER_SEAL_CERT_FILE.*absent.pem"):
        seal_pdf(pdf, config=config)


def test_unreadable_certificate_names_the_variable(pdf, authority, tmp_path):
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")

    with pytest.raises(ImproperlyConfigured, match="LEVIER_SEAL_CERT_FILE"):
        seal_pdf(pdf, config=SealConfig(key_file=authority.org_key, cert_file=garbage))


def test_unreadable_key_names_the_variable(pdf, authority):
    config = SealConfig(key_file=authority.org_cert, cert_file=authority.org_cert)

    with pytest.raises(ImproperlyConfigured, match="LEVIER_SEAL_KEY_FILE.*clé privée lisible"):
        seal_pdf(pdf, config=config)


def test_unreadable_chain_names_the_variable(pdf, authority, tmp_path):
    with pytest.raises(ImproperlyConfigured, match="LEVIER_SEAL_CHAIN_FILE"):
        seal_pdf(pdf, config=authority.config(chain_file=tmp_path / "absent.pem"))


def test_wrong_password_names_the_variable(pdf, protected_authority):
    config = protected_authority.config(key_password="pas-le-bon")

    with pytest.raises(ImproperlyConfigured, match="LEVIER_SEAL_KEY_PASSWORD.*incorrect"):
        seal_pdf(pdf, config=config)


def test_missing_password_names_the_variable(pdf, protected_authority):
    with pytest.raises(ImproperlyConfigured, match="chiffrée.*LEVIER_SEAL_KEY_PASSWORD"):
        seal_pdf(pdf, config=protected_authority.config())


def test_password_for_a_plain_key_names_the_variable(pdf, authority):
    with pytest.raises(ImproperlyConfigured, match="LEVIER_SEAL_KEY_PASSWORD.*pas chiffrée"):
        seal_pdf(pdf, config=authority.config(key_password="inutile"))


def test_key_and_certificate_that_do_not_match_are_refused(pdf, authority, rogue):
    config = SealConfig(key_file=rogue.org_key, cert_file=authority.org_cert)

    with pytest.raises(
        ImproperlyConfigured, match="LEVIER_SEAL_KEY_FILE et LEVIER_SEAL_CERT_FILE ne vont pas"
    ):
        seal_pdf(pdf, config=config)


# --- demo script -------------------------------------------------------------------------


def test_make_seal_ca_script_creates_a_working_authority(tmp_path, pdf):
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make-seal-ca.py"), str(tmp_path / "ca")],
        capture_output=True,
        text=True,
        check=True,
    )

    exported = dict(
        shlex.split(line)[1].split("=", 1)
        for line in result.stdout.splitlines()
        if line.startswith("export ")
    )
    config = SealConfig(
        key_file=Path(exported["LEVIER_SEAL_KEY_FILE"]),
        cert_file=Path(exported["LEVIER_SEAL_CERT_FILE"]),
    )
    root = tmp_path / "ca" / "root-ca.pem"
    assert verify_seal(seal_pdf(pdf, config=config), trust_roots=[root]).valid


def test_sealing_and_checking_work_inside_a_running_event_loop(pdf, authority):
    """pyHanko's sync API starts its own event loop: called from code that already runs one
    (an async server, Playwright's sync API in the same test process) it used to raise."""
    import asyncio

    async def from_a_coroutine() -> tuple[bytes, bool]:
        sealed = seal_pdf(pdf, config=authority.config())
        return sealed, verify_seal(sealed, trust_roots=[authority.root_cert]).valid

    sealed, valid = asyncio.run(from_a_coroutine())
    assert sealed.startswith(pdf) and valid
