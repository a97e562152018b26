"""Check a 2D-Doc's signature against the certificates levier trusts.

A 2D-Doc names its signing certificate by (authority id, certificate id). levier's
trust store holds:

- the root certificate of each authority on the ANTS trust list (TSL): FR01, FR03 to
  FR07, FR09, read from the copy bundled with the `tddoc` package (MIT);
- the signing certificates those authorities publish, as bundled with `tddoc`
  (`tddoc/chains/FRxx_CCCC.der`, named issuer CN _ subject CN: authority id and
  certificate id). Each is trusted only if its authority is on the list and that
  authority's root issued it (`FRxx.der` files are the authorities' own certificates,
  already in the TSL, and are not signing certificates);
- signing certificates named in `settings.LEVIER_2DDOC_TRUSTED_CERTIFICATES`: for an
  authority on the ANTS list, only one its root issued; for any other authority (the
  specification's test authority FR00, the demo's), as configured. Test authorities
  (XX00, reserved by the specification) are never trusted by default.

Entries are `"CAID:/path/cert.pem"` (the certificate id is read from the certificate's
common name when it is 4 characters, else any id of that authority matches) or
`"CAID/CERTID:/path/cert.pem"`; PEM or DER. The signature is ECDSA (P-256/SHA-256,
P-384/SHA-384, P-521/SHA-512) over the signed data, r || s in big-endian.

Expiry: a document signed while its certificate was valid stays verifiable after the
certificate expires (most bundled certificates have expired; the documents they signed
are still in use). The signature date the header states (it is signed too) is compared
with the certificate's validity; a date outside it is reported beside a valid signature.
"""

from __future__ import annotations

import base64
import datetime
import logging
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID

from .twoddoc_parse import TwoDDoc

logger = logging.getLogger(__name__)

Status = Literal[
    "valid",  # the signature matches, from a trusted certificate
    "altered",  # a trusted certificate, but the signature does not match the content
    "unknown_authority",  # the authority is neither on the ANTS list nor configured
    "unknown_certificate",  # an ANTS authority, but levier lacks this signing certificate
    "unverifiable",  # no signature, or a malformed one
]

_TSL_NS = {"tsl": "http://uri.etsi.org/02231/v2#"}
_ID = re.compile(r"[A-Z0-9]{4}")


@dataclass(frozen=True)
class Verification:
    status: Status
    detail: str = ""  # for the logs (English, technical)
    certificate: x509.Certificate | None = None  # the certificate the signature matched
    # Whether the header's signature date falls within that certificate's validity;
    # None when there is no matching certificate or the document is undated (FFFF).
    signed_within_validity: bool | None = None

    @property
    def authentic(self) -> bool | None:
        if self.status == "valid":
            return True
        if self.status in ("altered", "unknown_authority"):
            return False
        return None


@dataclass
class TrustStore:
    # Root certificates of the authorities on the ANTS list, by authority id.
    roots: dict[str, list[x509.Certificate]] = field(default_factory=dict)
    # Signing certificates by (authority id, certificate id or "" for any).
    certificates: dict[tuple[str, str], list[x509.Certificate]] = field(default_factory=dict)

    def knows_authority(self, authority: str) -> bool:
        return authority in self.roots or any(key[0] == authority for key in self.certificates)

    def lookup(self, authority: str, certificate_id: str) -> list[x509.Certificate]:
        return [
            *self.certificates.get((authority, certificate_id), []),
            *self.certificates.get((authority, ""), []),
        ]

    def add(
        self,
        authority: str,
        certificate_id: str,
        certificate: x509.Certificate,
        *,
        listed_only: bool = False,
    ) -> bool:
        """Trust a signing certificate; for an ANTS authority, only one its root issued.

        `listed_only`: refuse authorities that are not on the ANTS list (for
        certificates levier did not get from an administrator).
        """
        roots = self.roots.get(authority)
        if roots is None and listed_only:
            return False
        if roots is not None and not any(_issued_by(certificate, root) for root in roots):
            return False
        self.certificates.setdefault((authority, certificate_id), []).append(certificate)
        return True


def _issued_by(certificate: x509.Certificate, root: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(root)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


# ---------------------------------------------------------------------------
# Building the store
# ---------------------------------------------------------------------------


def ants_roots() -> dict[str, list[x509.Certificate]]:
    """The ANTS trust list's root certificates, from the copy bundled with tddoc."""
    try:
        tsl = resources.files("tddoc").joinpath("tsl", "tsl_signed.xml").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        logger.warning("2D-Doc: the ANTS trust list (tddoc's tsl/tsl_signed.xml) is missing")
        return {}
    return parse_tsl(tsl)


_BUNDLED_NAME = re.compile(r"(?P<authority>[A-Z0-9]{4})_(?P<certificate>[A-Z0-9]{4})\.der")


def ants_signing_certificates() -> list[tuple[str, str, x509.Certificate]]:
    """The signing certificates bundled with tddoc, as (authority id, certificate id, cert).

    tddoc names them `<issuer CN>_<subject CN>.der`: the authority and certificate ids
    a 2D-Doc header names. The certificate's own names must agree with its file name.
    Whether each chains to its authority's root is checked when it is added.
    """
    try:
        entries = list(resources.files("tddoc").joinpath("chains").iterdir())
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        logger.warning("2D-Doc: tddoc's signing certificates (tddoc/chains) are missing")
        return []
    found = []
    for entry in sorted(entries, key=lambda item: item.name):
        match = _BUNDLED_NAME.fullmatch(entry.name)
        if match is None:
            continue  # FRxx.der: an authority's own certificate, already in the TSL
        authority, certificate_id = match["authority"], match["certificate"]
        try:
            certificate = x509.load_der_x509_certificate(entry.read_bytes())
            # Some subjects have over-long attributes (organisation names), which
            # cryptography warns about; the common names read here are short.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                names = (_common_name(certificate.issuer), _common_name(certificate.subject))
        except (OSError, ValueError):
            logger.warning("2D-Doc: unreadable bundled certificate %s", entry.name)
            continue
        if names != (authority, certificate_id):
            logger.warning("2D-Doc: bundled certificate %s names %s; ignored", entry.name, names)
            continue
        found.append((authority, certificate_id, certificate))
    return found


def parse_tsl(content: bytes) -> dict[str, list[x509.Certificate]]:
    roots: dict[str, list[x509.Certificate]] = {}
    root = ET.fromstring(content)
    for provider in root.iterfind(".//tsl:TrustServiceProvider", _TSL_NS):
        name = provider.find(".//tsl:TSPTradeName/tsl:Name", _TSL_NS)
        authority = (name.text or "").strip() if name is not None else ""
        # The specification reserves XX00 for tests: never trusted from a list.
        if not _ID.fullmatch(authority) or authority.endswith("00"):
            continue
        for element in provider.iterfind(
            ".//tsl:ServiceDigitalIdentity/tsl:DigitalId/tsl:X509Certificate", _TSL_NS
        ):
            try:
                der = base64.b64decode((element.text or "").strip())
                roots.setdefault(authority, []).append(x509.load_der_x509_certificate(der))
            except ValueError:
                logger.warning("2D-Doc: unreadable certificate for %s in the TSL", authority)
    return roots


def trust_store(entries: Iterable[str] = (), *, with_ants: bool = True) -> TrustStore:
    return _trust_store(tuple(entries), with_ants)


@lru_cache(maxsize=8)
def _trust_store(entries: tuple[str, ...], with_ants: bool) -> TrustStore:
    store = TrustStore(roots=ants_roots() if with_ants else {})
    if with_ants:
        for authority, certificate_id, certificate in ants_signing_certificates():
            if authority.endswith("00"):
                continue  # test authorities (XX00) are never trusted by default
            if not store.add(authority, certificate_id, certificate, listed_only=True):
                logger.warning(
                    "2D-Doc: bundled certificate %s/%s does not chain to an ANTS root; ignored",
                    authority,
                    certificate_id,
                )
    for entry in entries:
        name, _colon, path = entry.partition(":")
        authority, _slash, certificate_id = name.strip().partition("/")
        path = path.strip()
        if not _ID.fullmatch(authority) or (certificate_id and not _ID.fullmatch(certificate_id)):
            logger.warning(
                "LEVIER_2DDOC_TRUSTED_CERTIFICATES: ignoring %r "
                "(want CAID:/path or CAID/CERTID:/path)",
                entry,
            )
            continue
        try:
            certificate = load_certificate(Path(path).read_bytes())
        except (OSError, ValueError):
            logger.warning("LEVIER_2DDOC_TRUSTED_CERTIFICATES: cannot load %s", path)
            continue
        certificate_id = certificate_id or _common_name_id(certificate)
        if not store.add(authority, certificate_id, certificate):
            logger.warning(
                "LEVIER_2DDOC_TRUSTED_CERTIFICATES: %s was not issued by the ANTS-listed "
                "authority %s; ignored",
                path,
                authority,
            )
    return store


def load_certificate(content: bytes) -> x509.Certificate:
    if b"-----BEGIN" in content:
        return x509.load_pem_x509_certificate(content)
    return x509.load_der_x509_certificate(content)


def _common_name_id(certificate: x509.Certificate) -> str:
    value = _common_name(certificate.subject)
    return value if _ID.fullmatch(value) else ""


def _common_name(name: x509.Name) -> str:
    names = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value).strip() if names else ""


# ---------------------------------------------------------------------------
# Verifying
# ---------------------------------------------------------------------------


def verify(document: TwoDDoc, store: TrustStore) -> Verification:
    header = document.header
    if not store.knows_authority(header.authority):
        return Verification("unknown_authority", f"authority {header.authority} not trusted")
    candidates = store.lookup(header.authority, header.certificate)
    if not candidates:
        return Verification(
            "unknown_certificate",
            f"certificate {header.certificate} of {header.authority} not in the store",
        )
    if not document.signature:
        return Verification("unverifiable", document.signature_problem or "no signature")
    for certificate in candidates:
        if signature_matches(certificate, document.message, document.signature):
            return Verification(
                "valid",
                certificate=certificate,
                signed_within_validity=signed_within_validity(certificate, header.signed_on),
            )
    return Verification("altered", "the signature does not match the signed data")


def signed_within_validity(
    certificate: x509.Certificate, signed_on: datetime.date | None
) -> bool | None:
    """Whether a signature dated `signed_on` (header date, a day) falls in the validity.

    Compared by UTC day, bounds included: the header gives a day, not a time.
    """
    if signed_on is None:
        return None
    return (
        certificate.not_valid_before_utc.date()
        <= signed_on
        <= certificate.not_valid_after_utc.date()
    )


_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "secp256r1": hashes.SHA256,
    "secp384r1": hashes.SHA384,
    "secp521r1": hashes.SHA512,
}


def signature_matches(certificate: x509.Certificate, message: bytes, signature: bytes) -> bool:
    key = certificate.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name not in _HASHES:
        return False  # the specification signs with ECDSA on NIST curves only
    size = (key.curve.key_size + 7) // 8
    if len(signature) != 2 * size:
        return False
    r = int.from_bytes(signature[:size], "big")
    s = int.from_bytes(signature[size:], "big")
    try:
        key.verify(encode_dss_signature(r, s), message, ec.ECDSA(_HASHES[key.curve.name]()))
    except (InvalidSignature, ValueError):
        return False
    return True
