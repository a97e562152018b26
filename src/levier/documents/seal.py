"""Electronic seal of generated PDFs: a PAdES signature with the organisation's certificate.

Sealing is optional. It is on when ``LEVIER_SEAL_KEY_FILE`` or ``LEVIER_SEAL_CERT_FILE`` is
set (see docs/configuration.md); a half-done configuration is an error, never a silent
unsealed document.

- ``seal_pdf(pdf)`` returns the PDF with a PAdES B-B signature in the field ``SceauLevier``
  (an incremental update: the original bytes are kept as they are, the seal is invisible).
  A PDF that already carries that field is refused (``AlreadySealed``), so a retried step
  never seals twice.
- ``verify_seal(pdf, trust_roots=...)`` checks the seal offline against the given roots:
  nothing is ever fetched over the network.
- ``make_test_authority(folder)`` creates a throw-away certificate authority and an
  organisation certificate, for demos and tests only.

pyHanko takes most of a second to import: it is imported inside the functions, so that
loading this module (and starting the application) stays cheap.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext

T = TypeVar("T")

SEAL_FIELD_NAME = "SceauLevier"
DEFAULT_REASON = "Document scellé par l'administration"

KEY_FILE_VAR = "LEVIER_SEAL_KEY_FILE"
CERT_FILE_VAR = "LEVIER_SEAL_CERT_FILE"
CHAIN_FILE_VAR = "LEVIER_SEAL_CHAIN_FILE"
KEY_PASSWORD_VAR = "LEVIER_SEAL_KEY_PASSWORD"


class AlreadySealed(ValueError):
    """The PDF already carries the levier seal: it is not sealed a second time."""


@dataclass(frozen=True)
class SealConfig:
    """Where the organisation's key material is, and what the seal says."""

    key_file: Path | None = None
    cert_file: Path | None = None
    chain_file: Path | None = None
    key_password: str | None = None
    reason: str = DEFAULT_REASON
    location: str = ""

    @classmethod
    def from_settings(cls) -> SealConfig:
        from django.conf import settings

        def path(name: str) -> Path | None:
            value = (getattr(settings, name, "") or "").strip()
            return Path(value) if value else None

        return cls(
            key_file=path(KEY_FILE_VAR),
            cert_file=path(CERT_FILE_VAR),
            chain_file=path(CHAIN_FILE_VAR),
            key_password=getattr(settings, KEY_PASSWORD_VAR, "") or None,
            reason=getattr(settings, "LEVIER_SEAL_REASON", "") or DEFAULT_REASON,
            location=getattr(settings, "LEVIER_SEAL_LOCATION", "") or "",
        )

    @property
    def enabled(self) -> bool:
        return self.key_file is not None or self.cert_file is not None


@dataclass(frozen=True)
class SealCheck:
    """The outcome of checking a PDF's seal.

    ``valid`` is the bottom line: the signature is cryptographically sound, the document
    was not modified after sealing (``intact``) and the certificate chains up to one of
    the given roots (``trusted``).
    """

    valid: bool
    intact: bool
    trusted: bool
    signer: str
    signed_at: dt.datetime | None
    summary: str
    field_name: str = ""


def sealing_enabled() -> bool:
    """Whether the settings ask for generated PDFs to be sealed."""
    return SealConfig.from_settings().enabled


# --- sealing -------------------------------------------------------------------------


def _read(path: Path | None, variable: str) -> bytes:
    if path is None:
        raise ImproperlyConfigured(
            f"{variable} n'est pas défini : le scellement des PDF demande "
            f"{KEY_FILE_VAR} et {CERT_FILE_VAR} (ou aucun des deux pour le désactiver)."
        )
    try:
        return path.read_bytes()
    except OSError as error:
        raise ImproperlyConfigured(
            f"{variable} : le fichier {path} est introuvable ou illisible ({error.strerror})."
        ) from error


def _load_certificates(data: bytes, path: Path, variable: str) -> list:
    from cryptography import x509

    try:
        if b"-----BEGIN" in data:
            certificates = x509.load_pem_x509_certificates(data)
        else:
            certificates = [x509.load_der_x509_certificate(data)]
    except ValueError as error:
        raise ImproperlyConfigured(
            f"{variable} : {path} ne contient pas de certificat X.509 lisible (PEM ou DER)."
        ) from error
    return certificates


def _check_key_material(config: SealConfig) -> None:
    """Load the key and certificates once with `cryptography`, to name what is wrong.

    pyHanko's loader only logs its errors and returns None; this check gives the
    administrator the variable to fix.
    """
    from cryptography.hazmat.primitives import serialization

    key_data = _read(config.key_file, KEY_FILE_VAR)
    cert_data = _read(config.cert_file, CERT_FILE_VAR)
    password = config.key_password.encode() if config.key_password else None
    try:
        if b"-----BEGIN" in key_data:
            key = serialization.load_pem_private_key(key_data, password=password)
        else:
            key = serialization.load_der_private_key(key_data, password=password)
    except TypeError as error:
        if password is None:
            message = (
                f"{KEY_FILE_VAR} : la clé privée {config.key_file} est chiffrée ; "
                f"donner son mot de passe dans {KEY_PASSWORD_VAR}."
            )
        else:
            message = (
                f"{KEY_PASSWORD_VAR} est défini mais la clé privée {config.key_file} "
                f"n'est pas chiffrée : vider {KEY_PASSWORD_VAR}."
            )
        raise ImproperlyConfigured(message) from error
    except ValueError as error:
        if password is not None and b"ENCRYPTED" in key_data:
            message = (
                f"{KEY_PASSWORD_VAR} : mot de passe incorrect pour la clé privée {config.key_file}."
            )
        else:
            message = (
                f"{KEY_FILE_VAR} : {config.key_file} ne contient pas de clé privée lisible "
                "(PEM ou DER attendu)."
            )
        raise ImproperlyConfigured(message) from error

    certificate = _load_certificates(cert_data, config.cert_file, CERT_FILE_VAR)[0]
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    encoding = serialization.Encoding.DER
    if key.public_key().public_bytes(encoding, public) != certificate.public_key().public_bytes(
        encoding, public
    ):
        raise ImproperlyConfigured(
            f"{KEY_FILE_VAR} et {CERT_FILE_VAR} ne vont pas ensemble : la clé privée "
            f"{config.key_file} ne correspond pas au certificat {config.cert_file}."
        )
    if config.chain_file is not None:
        _load_certificates(
            _read(config.chain_file, CHAIN_FILE_VAR), config.chain_file, CHAIN_FILE_VAR
        )


def _signer(config: SealConfig):
    from pyhanko.sign import signers

    _check_key_material(config)
    signer = signers.SimpleSigner.load(
        str(config.key_file),
        str(config.cert_file),
        ca_chain_files=[str(config.chain_file)] if config.chain_file else None,
        key_passphrase=config.key_password.encode() if config.key_password else None,
    )
    if signer is None:  # already checked above; kept for key types pyHanko cannot use
        raise ImproperlyConfigured(
            f"{KEY_FILE_VAR} / {CERT_FILE_VAR} : pyHanko ne peut pas charger cette clé ou "
            "ce certificat (voir le journal pour le détail)."
        )
    return signer


def _embedded_signatures(pdf: bytes) -> list:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return list(PdfFileReader(BytesIO(pdf), strict=False).embedded_signatures)


def seal_pdf(pdf: bytes, *, config: SealConfig | None = None) -> bytes:
    """Return ``pdf`` with the organisation's seal (PAdES B-B, invisible).

    Raises ``ImproperlyConfigured`` naming the variable to fix when the key material is
    missing, unreadable, protected by another password or mismatched, and
    ``AlreadySealed`` when the PDF already carries the levier seal.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    config = config or SealConfig.from_settings()
    if not config.enabled:
        raise ImproperlyConfigured(
            f"Le scellement des PDF est désactivé : définir {KEY_FILE_VAR} et {CERT_FILE_VAR}."
        )
    signer = _signer(config)
    if any(sig.field_name == SEAL_FIELD_NAME for sig in _embedded_signatures(pdf)):
        raise AlreadySealed(
            f"Ce PDF porte déjà le sceau levier (champ {SEAL_FIELD_NAME}) : "
            "il n'est pas scellé une seconde fois."
        )
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD_NAME,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=config.reason or None,
        location=config.location or None,
    )
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    output = _outside_event_loop(signers.sign_pdf, writer, metadata, signer=signer)
    return output.getvalue()


def _outside_event_loop(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Call one of pyHanko's sync functions, which start an event loop with asyncio.run:
    from code already running one (an async server, Playwright's sync API in the tests)
    that is refused, so the call then runs in a short-lived thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


# --- verification --------------------------------------------------------------------


def _trust_root(root: bytes | str | Path):
    from asn1crypto import pem, x509

    data = Path(root).read_bytes() if isinstance(root, str | Path) else bytes(root)
    if pem.detect(data):
        _, _, data = pem.unarmor(data)
    return x509.Certificate.load(data)


def verify_seal(pdf: bytes, *, trust_roots: list[bytes | str | Path]) -> SealCheck:
    """Check the levier seal of ``pdf`` (or, without one, its last signature), offline.

    ``trust_roots``: the root certificates to trust, as PEM/DER bytes or file paths.
    """
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        signatures = _embedded_signatures(pdf)
    except Exception:  # not a PDF pyHanko can parse
        return SealCheck(False, False, False, "", None, gettext("The seal cannot be read."))
    if not signatures:
        return SealCheck(False, False, False, "", None, gettext("No seal"))
    ours = [sig for sig in signatures if sig.field_name == SEAL_FIELD_NAME]
    embedded = ours[-1] if ours else signatures[-1]

    context = ValidationContext(
        trust_roots=[_trust_root(root) for root in trust_roots], allow_fetching=False
    )
    try:
        status = _outside_event_loop(
            validate_pdf_signature, embedded, signer_validation_context=context
        )
    except Exception:  # malformed signature container
        return SealCheck(
            False,
            False,
            False,
            "",
            None,
            gettext("The seal cannot be read."),
            field_name=embedded.field_name,
        )

    level = status.modification_level
    # Later signatures or timestamps (form filling at most) keep the sealed content;
    # anything else (a changed page, added annotations) is a modification.
    intact = bool(
        status.intact
        and status.valid
        and level is not None
        and level.value <= ModificationLevel.FORM_FILLING.value
    )
    trusted = bool(status.trusted)
    valid = intact and trusted and bool(status.bottom_line)
    subject = status.signing_cert.subject
    signer = subject.human_friendly
    names = subject.native
    short_signer = (
        ", ".join(names[key] for key in ("common_name", "organization_name") if names.get(key))
        or signer
    )
    signed_at = status.signer_reported_dt or embedded.self_reported_timestamp
    if not intact:
        summary = gettext("The document was modified after it was sealed.")
    elif not trusted:
        summary = gettext(
            "The seal is intact but its certificate is not from a trusted authority: %(signer)s."
        ) % {"signer": short_signer}
    elif not valid:
        summary = gettext("The seal of %(signer)s is not valid.") % {"signer": short_signer}
    else:
        when = date_format(localtime(signed_at), "SHORT_DATETIME_FORMAT") if signed_at else "?"
        summary = gettext("Valid seal of %(signer)s, applied on %(when)s.") % {
            "signer": short_signer,
            "when": when,
        }
    return SealCheck(
        valid=valid,
        intact=intact,
        trusted=trusted,
        signer=signer,
        signed_at=signed_at,
        summary=summary,
        field_name=embedded.field_name,
    )


# --- demo and test authority ---------------------------------------------------------


def make_test_authority(
    folder: Path,
    *,
    key_password: str | None = None,
    organisation: str = "Direction de démonstration levier",
    common_name: str = "Sceau levier",
) -> dict[str, Path]:
    """Create a throw-away root CA and an organisation seal certificate, as PEM files.

    FOR DEMOS AND TESTS ONLY: a real seal uses a certificate from a qualified trust
    service provider. The root's private key is not kept, so nothing else can be issued.

    Returns the paths ``root_cert``, ``org_key`` (encrypted with ``key_password`` if
    given) and ``org_cert``.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    not_before = now - dt.timedelta(days=1)

    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, f"Autorité de test {organisation}"),
        ]
    )
    root_ski = x509.SubjectKeyIdentifier.from_public_key(root_key.public_key())
    root_cert = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(root_ski, critical=False)
        .sign(root_key, hashes.SHA256())
    )

    org_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    org_cert = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                    x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                ]
            )
        )
        .issuer_name(root_name)
        .public_key(org_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(now + dt.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # nonRepudiation
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(org_key.public_key()), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(root_ski),
            critical=False,
        )
        .sign(root_key, hashes.SHA256())
    )

    encryption = (
        serialization.BestAvailableEncryption(key_password.encode())
        if key_password
        else serialization.NoEncryption()
    )
    paths = {
        "root_cert": folder / "root-ca.pem",
        "org_key": folder / "seal-key.pem",
        "org_cert": folder / "seal-cert.pem",
    }
    paths["root_cert"].write_bytes(root_cert.public_bytes(serialization.Encoding.PEM))
    paths["org_cert"].write_bytes(org_cert.public_bytes(serialization.Encoding.PEM))
    paths["org_key"].touch(mode=0o600)
    paths["org_key"].chmod(0o600)
    paths["org_key"].write_bytes(
        org_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
    )
    return paths
