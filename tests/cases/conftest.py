"""Real files for the case tests: a small PDF made with fpdf2 and a PNG made with Pillow."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from fpdf import FPDF
from PIL import Image

from tests.factories import ProcedureFactory

FULL_SCHEMA = [
    {"name": "project", "label": "Objet de la demande", "type": "text", "required": True},
    {
        "name": "amount",
        "label": "Montant demandé",
        "type": "money",
        "required": True,
        "min": 0,
        "max": 50000,
    },
    {"name": "employees", "label": "Nombre de salariés", "type": "number", "min": 0},
    {"name": "start_date", "label": "Date de début", "type": "date"},
    {
        "name": "sector",
        "label": "Secteur",
        "type": "choice",
        "choices": ["Commerce", ["artisanat", "Artisanat"]],
    },
    {"name": "contact_email", "label": "Courriel du projet", "type": "email"},
    {"name": "contact_phone", "label": "Téléphone du projet", "type": "phone"},
    {"name": "site", "label": "Adresse du site", "type": "address"},
    {"name": "siren", "label": "SIREN", "type": "siren"},
    {"name": "siret", "label": "SIRET de l'établissement", "type": "siret"},
    {"name": "nir", "label": "NIR du gérant", "type": "nir"},
    {"name": "iban", "label": "IBAN", "type": "iban"},
    {"name": "quote", "label": "Devis", "type": "file", "required": True},
    {"name": "photo", "label": "Photo du local", "type": "file"},
]

VALID_SIRET = "73282932000074"
VALID_IBAN = "FR7630006000011234567890189"
VALID_NIR = "185046938112387"


def make_pdf(pages: int = 2) -> bytes:
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(text=f"Devis - page {number}")
    return bytes(pdf.output())


def make_png(size: tuple[int, int] = (8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 0, 145)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def pdf_bytes() -> bytes:
    return make_pdf(2)


@pytest.fixture
def png_bytes() -> bytes:
    return make_png()


def upload(
    name: str, content: bytes, content_type: str = "application/octet-stream"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def procedure(team):
    return ProcedureFactory(
        team=team, slug="aide-commerce", name="Aide au commerce", reference_prefix="AIC"
    )
