"""A housing-aid procedure, cases and real documents (demo generator) for controls tests."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile

from levier.cases.models import SupportingDocument
from levier.controls.models import FieldComparison
from levier.demo.pdfs import TaxNoticeSpec, print_document
from levier.demo.twoddoc import DemoAuthority, tax_notice_message
from tests.factories import CaseFactory, ContactFactory, ProcedureFactory

HOUSING_SCHEMA = [
    {"name": "household_size", "label": "Personnes au foyer", "type": "number", "required": True},
    {"name": "reference_tax_income", "label": "Revenu fiscal de référence", "type": "money"},
    {"name": "monthly_rent", "label": "Loyer mensuel", "type": "money"},
    {"name": "landlord", "label": "Bailleur", "type": "text"},
    {"name": "iban", "label": "IBAN", "type": "iban"},
    {"name": "tax_notice", "label": "Avis d'impôt", "type": "file"},
]


@pytest.fixture
def housing(team):
    procedure = ProcedureFactory(team=team, slug="aide-logement-test", field_schema=HOUSING_SCHEMA)
    FieldComparison.objects.create(
        procedure=procedure,
        document_kind="tax_notice",
        found_field="reference_tax_income",
        declared_field="reference_tax_income",
    )
    return procedure


def housing_case(procedure, income: str = "18250.00", **data):
    contact = ContactFactory(first_name="Camille", last_name="Martin")
    return CaseFactory(
        procedure=procedure,
        contact=contact,
        data={"household_size": 2, "reference_tax_income": income, "monthly_rent": "640.00",
              "landlord": "SCI Rivière", "iban": "FR7630006000011234567890189", **data},
    )  # fmt: skip


def notice_spec(case, printed: str) -> TaxNoticeSpec:
    return TaxNoticeSpec(
        declared_income=Decimal(case.data["reference_tax_income"]),
        printed_income=Decimal(printed),
        parts=Decimal(2),
        holder=f"{case.contact.last_name.upper()} {case.contact.first_name}",
        address_lines=("12 rue de la République", "69001 LYON"),
        tax_number="1234567890123",
        notice_reference="25 69 A123456 42",
        office="Service des impôts des particuliers de Lyon",
        year=2025,
    )


def attach(
    case, content: bytes, name: str, content_type: str = "application/pdf", field="tax_notice"
):
    return SupportingDocument.objects.create(
        case=case,
        field_name=field,
        file=ContentFile(content, name=name),
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        page_count=1,
    )


@pytest.fixture
def authority(tmp_path, settings):
    authority = DemoAuthority.load_or_create(tmp_path / "authority")
    settings.LEVIER_2DDOC_TRUSTED_CERTIFICATES = [authority.trusted_setting]
    return authority


def notice_with_two_d_doc(case, authority, *, printed: str, signed: str | None = None) -> bytes:
    spec = notice_spec(case, printed)
    signed_income = Decimal(signed) if signed else None
    spec = replace(spec, two_d_doc=tax_notice_message(spec, authority, signed_income=signed_income))
    return print_document(spec).content


TODAY = datetime.date(2026, 11, 28)
