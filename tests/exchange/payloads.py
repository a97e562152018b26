"""Request bodies of the API tests: a person's enquiry, a company's, real files."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from ..enquiries.files import make_pdf, make_png

URL = "/api/v1/enquiries"
SIRET = "73282932000074"  # valid checksum
BAD_SIRET = "73282932000075"
# The start of a Windows executable: what a .exe renamed .pdf begins with.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def person(**changes) -> dict:
    data = {
        "subject": "Renouvellement de titre de séjour",
        "message": "Bonjour, mon titre de séjour expire le 12 juin. Quelles pièces apporter ?",
        "email": "jeanne.martin@exemple.fr",
        "first_name": "Jeanne",
        "last_name": "Martin",
        "phone": "06 12 34 56 78",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def company(**changes) -> dict:
    data = {
        "kind": "company",
        "subject": "Aide à l'investissement",
        "message": "Bonjour, notre dossier d'aide pour le four est-il complet ?",
        "email": "contact@boulangerie-du-parc.fr",
        "legal_name": "Boulangerie du Parc",
        "siret": SIRET,
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def pdf(name: str = "avis-imposition.pdf", pages: int = 1) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_pdf(pages), content_type="application/pdf")


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_png(), content_type="image/png")


def exe_as_pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("facture.pdf", EXE, content_type="application/pdf")
