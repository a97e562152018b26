"""A test certificate authority for the seal tests, created once per run."""

from dataclasses import dataclass
from pathlib import Path

import pytest
import weasyprint

from levier.documents.seal import SealConfig, make_test_authority

KEY_PASSWORD = "mot-de-passe-de-test"


@dataclass(frozen=True)
class Authority:
    root_cert: Path
    org_key: Path
    org_cert: Path

    def config(self, **overrides) -> SealConfig:
        return SealConfig(key_file=self.org_key, cert_file=self.org_cert, **overrides)


@pytest.fixture(scope="session")
def authority(tmp_path_factory) -> Authority:
    """Root CA + organisation certificate O=Direction de démonstration levier, CN=Sceau levier."""
    return Authority(**make_test_authority(tmp_path_factory.mktemp("ca")))


@pytest.fixture(scope="session")
def protected_authority(tmp_path_factory) -> Authority:
    """The same, with the organisation's private key encrypted with KEY_PASSWORD."""
    folder = tmp_path_factory.mktemp("ca-protected")
    return Authority(**make_test_authority(folder, key_password=KEY_PASSWORD))


@pytest.fixture(scope="session")
def rogue(tmp_path_factory) -> Authority:
    """An unrelated authority: its root must not vouch for the levier seal."""
    folder = tmp_path_factory.mktemp("ca-rogue")
    return Authority(**make_test_authority(folder, organisation="Autorité pirate"))


@pytest.fixture(scope="session")
def pdf() -> bytes:
    html = "<h1>Attestation de dépôt</h1><p>Dossier 2025-0042 reçu le 3 mars.</p>"
    return weasyprint.HTML(string=html).write_pdf()


@pytest.fixture(scope="session")
def sealed(pdf, authority) -> bytes:
    from levier.documents.seal import seal_pdf

    return seal_pdf(pdf, config=authority.config(location="Lyon"))
