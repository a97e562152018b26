"""Signed 2D-Doc messages for the demo documents, from a test certification authority.

A real 2D-Doc is signed by an authority listed by ANTS; the demo cannot be, so it
makes its own authority (CA id `FR00`, absent from the ANTS list). Only
`levier.controls.reading.twoddoc` trusts it, and only when the certificate is named
in `settings.LEVIER_2DDOC_TRUSTED_CERTIFICATES` (see `DemoAuthority.trusted_setting`).

Message format (2D-Doc v3, as py2ddoc parses it):
`DC03` + CA id (4) + certificate id (4) + document date (4) + signature date (4) +
document type (4) + fields `<id:2><value>` separated by GS (0x1D) + US (0x1F) + base32
(no padding) of the raw ECDSA P-256 signature r||s over the Latin-1 message.
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

if TYPE_CHECKING:
    from .pdfs import AddressProofSpec, PayslipSpec, TaxNoticeSpec

DEMO_CA_ID = "FR00"
DEMO_CERTIFICATE_ID = "0001"
KEY_FILE = "demo-2ddoc-key.pem"
CERTIFICATE_FILE = "demo-2ddoc-cert.pem"
GROUP_SEPARATOR = "\x1d"
UNIT_SEPARATOR = "\x1f"
BASE_DATE = datetime.date(2000, 1, 1)
DIGITS36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# 2D-Doc document types used by the demo.
TAX_NOTICE = "0001"
PAYSLIP = "0007"
ADDRESS_PROOF = "0013"  # justificatif de domicile (énergie)
RENT_RECEIPT = "0016"  # justificatif de domicile (loyer), same fields


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
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def encode_date(day: datetime.date | None) -> str:
    """Days since 2000-01-01 in 4 base-36 digits ('FFFF' style); '0000' when unknown."""
    if day is None:
        return "0000"
    days = (day - BASE_DATE).days
    digits = ""
    for _ in range(4):
        days, remainder = divmod(days, 36)
        digits = DIGITS36[remainder] + digits
    return digits


def clean_value(value: str) -> str:
    """Upper-case ASCII, as printed in real 2D-Docs, without the separators."""
    ascii_text = (
        unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii").upper()
    )
    return "".join(c for c in ascii_text if c.isprintable()).strip()


def encode(
    doc_type: str,
    fields: dict[str, str],
    issued_on: datetime.date,
    signed_on: datetime.date,
    authority: DemoAuthority,
) -> str:
    """Build and sign a 2D-Doc v3 message; `fields` maps 2-character ids to values."""
    header = (
        f"DC03{authority.ca_id}{authority.certificate_id}"
        f"{encode_date(issued_on)}{encode_date(signed_on)}{doc_type}"
    )
    data = GROUP_SEPARATOR.join(
        f"{field_id}{clean_value(value)}" for field_id, value in fields.items()
    )
    message = header + data
    return message + UNIT_SEPARATOR + authority.sign(message)


def tamper(message: str, field_id: str, new_value: str) -> str:
    """Change one signed value and keep the old signature: what a forger would do."""
    signed, separator, signature = message.partition(UNIT_SEPARATOR)
    header, data = signed[:24], signed[24:]
    parts = data.split(GROUP_SEPARATOR)
    changed = [
        f"{field_id}{clean_value(new_value)}" if part[:2] == field_id else part for part in parts
    ]
    if changed == parts and not any(part[:2] == field_id for part in parts):
        changed.append(f"{field_id}{clean_value(new_value)}")
    return header + GROUP_SEPARATOR.join(changed) + separator + signature


def ddmmyyyy(day: datetime.date) -> str:
    return day.strftime("%d%m%Y")


# ---------------------------------------------------------------------------
# Messages for the demo's document specs (levier.demo.pdfs)
# ---------------------------------------------------------------------------


def _whole_or_cents(amount: Decimal) -> str:
    """2D-Doc amounts: '23456' for whole euros, '1234.50' otherwise."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    return f"{amount:.0f}" if amount == amount.to_integral_value() else f"{amount}"


def tax_notice_message(
    spec: TaxNoticeSpec, authority: DemoAuthority, *, signed_income: Decimal | None = None
) -> str:
    """The 2D-Doc of a tax notice; it signs the printed income unless told otherwise."""
    last_name, _space, first_names = spec.holder.partition(" ")
    issued_on = datetime.date(spec.year, 7, 31)
    fields = {
        "01": "".join(spec.notice_reference.split()),
        "02": _whole_or_cents(spec.printed_income if signed_income is None else signed_income),
        "03": f"{Decimal(spec.parts).normalize():f}",
        "07": str(spec.year - 1),
        "08": str(spec.year),
        "09": last_name,
        "0A": first_names,
    }
    return encode(TAX_NOTICE, fields, issued_on, issued_on, authority)


def payslip_message(
    spec: PayslipSpec, authority: DemoAuthority, *, signed_net_pay: Decimal | None = None
) -> str:
    """The 2D-Doc of a payslip; it signs the printed net pay unless told otherwise."""
    gross, _lines, _withheld, paid = spec.amounts()
    first = spec.period.replace(day=1)
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    fields = {
        "01": spec.employee,
        "04": spec.job_title,
        "05": ddmmyyyy(first),
        "06": ddmmyyyy(last),
        "07": f"{gross:.2f}",
        "08": f"{(spec.printed_net_pay if signed_net_pay is None else signed_net_pay):.2f}",
        "09": f"{paid:.2f}",
        "0A": spec.employer,
        "0B": spec.employer_siret,
    }
    return encode(PAYSLIP, fields, last, last, authority)


def address_proof_message(
    spec: AddressProofSpec,
    authority: DemoAuthority,
    *,
    signed_street: str | None = None,
    signed_holder: str | None = None,
) -> str:
    """The 2D-Doc of an energy bill (type 0013) or a rent receipt (0016)."""
    fields = {
        "01": spec.holder if signed_holder is None else signed_holder,
        "03": spec.street if signed_street is None else signed_street,
        "04": spec.postal_code,
        "05": spec.city,
        "06": ddmmyyyy(spec.issued_on),
        "07": spec.issuer,
        "08": spec.reference,
    }
    doc_type = RENT_RECEIPT if spec.bill == "rent" else ADDRESS_PROOF
    return encode(doc_type, fields, spec.issued_on, spec.issued_on, authority)
