"""Signed 2D-Doc messages for the demo documents, from a test certification authority.

A real 2D-Doc is signed by an authority listed by ANTS; the demo cannot be, so it
makes its own authority (CA id `FR00`, which the specification reserves for tests and
levier never trusts by default). Only `levier.controls.reading.twoddoc` trusts it, and
only when the certificate is named in `settings.LEVIER_2DDOC_TRUSTED_CERTIFICATES` (see
`DemoAuthority.trusted_setting`).

Messages follow the ANTS specification (C40 format, version 04): the 26-character
header `DC04` + CA id (4) + certificate id (4) + issue date (4) + signature date (4) +
document type (2) + perimeter `01` + country `FR`, dates in hexadecimal days since
2000-01-01 (`FFFF`: none); then the fields, each a specification identifier and its
value, fixed-length values without separator, variable ones ended by GS (0x1D); then
US (0x1F) and the base32 (no padding) of the raw ECDSA P-256 signature r||s of the
Latin-1 message. See `levier.controls.reading.twoddoc_spec` for the identifiers.
"""

from __future__ import annotations

import base64
import datetime
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

from levier.controls.reading.twoddoc_parse import encode_hex_date, parse
from levier.controls.reading.twoddoc_spec import FIELDS

if TYPE_CHECKING:
    from .pdfs import AddressProofSpec, PayslipSpec, TaxNoticeSpec

DEMO_CA_ID = "FR00"
DEMO_CERTIFICATE_ID = "0001"
KEY_FILE = "demo-2ddoc-key.pem"
CERTIFICATE_FILE = "demo-2ddoc-cert.pem"
GROUP_SEPARATOR = "\x1d"
RECORD_SEPARATOR = "\x1e"
UNIT_SEPARATOR = "\x1f"

# 2D-Doc document types used by the demo (ANTS specification, section 6.1).
TAX_NOTICE = "04"  # avis d'impôt sur les revenus
PAYSLIP = "06"  # bulletin de salaire
ADDRESS_PROOF = "01"  # facture (énergie, téléphonie, internet, eau)
RENT_RECEIPT = "00"  # justificatif de domicile émis spécifiquement


@dataclass(frozen=True)
class DemoAuthority:
    """The demo's own 2D-Doc certification authority: a P-256 key and its certificate."""

    private_key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    certificate_path: Path
    ca_id: str = DEMO_CA_ID
    certificate_id: str = DEMO_CERTIFICATE_ID

    @classmethod
    def load_or_create(cls, directory: str | Path) -> DemoAuthority:
        """Load the authority saved in `directory`, making and saving it the first time."""
        directory = Path(directory)
        key_path, certificate_path = directory / KEY_FILE, directory / CERTIFICATE_FILE
        if key_path.exists() and certificate_path.exists():
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            certificate = x509.load_pem_x509_certificate(certificate_path.read_bytes())
            return cls(key, certificate, certificate_path)
        directory.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = _self_signed_certificate(key)
        key_path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        key_path.chmod(0o600)
        certificate_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
        return cls(key, certificate, certificate_path)

    @property
    def trusted_setting(self) -> str:
        """The entry to put in settings.LEVIER_2DDOC_TRUSTED_CERTIFICATES to trust it."""
        return f"{self.ca_id}:{self.certificate_path}"

    def sign(self, message: str) -> str:
        """Base32 (no padding) of the raw r||s ECDSA P-256 / SHA-256 signature."""
        der = self.private_key.sign(message.encode("latin-1"), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        raw = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return base64.b32encode(raw).decode("ascii").rstrip("=")


def _self_signed_certificate(key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "levier (démonstration)"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"levier demo 2D-Doc CA {DEMO_CA_ID}"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # From 2000 (the 2D-Doc date origin): the demo signs documents dated in the past.
        .not_valid_before(datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def clean_value(value: str) -> str:
    """Upper-case ASCII, as printed in real 2D-Docs, without the separators."""
    ascii_text = (
        unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").upper()
    )
    return "".join(c for c in ascii_text if c.isprintable()).strip()


def encode_fields(fields: dict[str, str]) -> str:
    """The message zone: fixed-length values as they are, variable ones ended by GS.

    A value longer than its field's maximum is cut and ended by RS (truncated), as the
    specification says; a fixed-length value of another length is a programming error.
    """
    parts = []
    items = list(fields.items())
    for index, (field_id, value) in enumerate(items):
        spec = FIELDS[field_id]
        if spec.fixed:
            if len(value) != spec.min_length:
                raise ValueError(f"2D-Doc field {field_id} takes {spec.min_length} characters")
            parts.append(f"{field_id}{value}")
            continue
        if spec.max_length is not None and len(value) > spec.max_length:
            parts.append(f"{field_id}{value[: spec.max_length]}{RECORD_SEPARATOR}")
            continue
        last = index == len(items) - 1
        parts.append(f"{field_id}{value}{'' if last else GROUP_SEPARATOR}")
    return "".join(parts)


def encode(
    doc_type: str,
    fields: dict[str, str],
    issued_on: datetime.date | None,
    signed_on: datetime.date,
    authority: DemoAuthority,
) -> str:
    """Build and sign a 2D-Doc v04 message; `fields` maps specification ids to values."""
    header = (
        f"DC04{authority.ca_id}{authority.certificate_id}"
        f"{encode_hex_date(issued_on)}{encode_hex_date(signed_on)}{doc_type}01FR"
    )
    message = header + encode_fields({key: clean_value(value) for key, value in fields.items()})
    return message + UNIT_SEPARATOR + authority.sign(message)


def tamper(message: str, field_id: str, new_value: str) -> str:
    """Change one signed value and keep the old signature: what a forger would do."""
    signed, separator, signature = message.partition(UNIT_SEPARATOR)
    document = parse(signed)
    fields = document.texts()
    fields[field_id] = clean_value(new_value)
    return signed[: document.header.length] + encode_fields(fields) + separator + signature


def ddmmyyyy(day: datetime.date) -> str:
    return day.strftime("%d%m%Y")


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isalnum()).upper()


# ---------------------------------------------------------------------------
# Messages for the demo's document specs (levier.demo.pdfs)
# ---------------------------------------------------------------------------


def _whole_or_cents(amount: Decimal) -> str:
    """2D-Doc amounts: '23456' for whole euros, '1234,50' otherwise (decimal comma)."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    text = f"{amount:.0f}" if amount == amount.to_integral_value() else f"{amount}"
    return text.replace(".", ",")


def tax_notice_message(
    spec: TaxNoticeSpec, authority: DemoAuthority, *, signed_income: Decimal | None = None
) -> str:
    """The 2D-Doc of a tax notice (type 04); it signs the printed income unless told otherwise."""
    signed_on = datetime.date(spec.year, 7, 31)
    fields = {
        "44": _digits(spec.notice_reference),
        "41": _whole_or_cents(spec.printed_income if signed_income is None else signed_income),
        "43": f"{Decimal(spec.parts).normalize():f}".replace(".", ","),
        "45": str(spec.year - 1),
        "46": spec.holder,
    }
    if len(_digits(spec.tax_number)) == 13:
        fields["47"] = _digits(spec.tax_number)
    # Type 04 is undated in the header (the specification's "N"): FFFF.
    return encode(TAX_NOTICE, fields, None, signed_on, authority)


def payslip_message(
    spec: PayslipSpec, authority: DemoAuthority, *, signed_net_pay: Decimal | None = None
) -> str:
    """The 2D-Doc of a payslip (type 06); it signs the printed net pay unless told otherwise."""
    gross, _lines, _withheld, _paid = spec.amounts()
    first = spec.period.replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    net = spec.printed_net_pay if signed_net_pay is None else signed_net_pay
    fields = {
        "10": spec.employee,
        "50": _digits(spec.employer_siret),
        "53": encode_hex_date(first),
        "54": encode_hex_date(last),
        "5A": _whole_or_cents(gross),
        "5C": _whole_or_cents(net),
        "5M": spec.employer,
    }
    return encode(PAYSLIP, fields, last, last, authority)


def address_proof_message(
    spec: AddressProofSpec,
    authority: DemoAuthority,
    *,
    signed_street: str | None = None,
    signed_holder: str | None = None,
) -> str:
    """The 2D-Doc of an energy bill (type 01) or a rent receipt (00, proof of address)."""
    fields = {
        "10": spec.holder if signed_holder is None else signed_holder,
        "22": spec.street if signed_street is None else signed_street,
        "24": spec.postal_code,
        "25": spec.city,
        "26": "FR",
    }
    doc_type = RENT_RECEIPT if spec.bill == "rent" else ADDRESS_PROOF
    if doc_type == ADDRESS_PROOF and spec.reference:
        fields["18"] = _digits(spec.reference)  # invoice number, bills only
    return encode(doc_type, fields, spec.issued_on, spec.issued_on, authority)
