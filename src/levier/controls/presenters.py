"""Labels agents read: kinds of documents, values read on them, statuses."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from levier.cases.schema import format_money, format_number

KIND_LABELS = {
    "tax_notice": _("Tax notice"),
    "payslip": _("Payslip"),
    "invoice": _("Invoice or quote"),
    "rib": _("Bank details (RIB)"),
    "kbis": _("Company registration extract"),
    "address_proof": _("Proof of address"),
    "budget": _("Provisional budget"),
    "unknown": _("Unrecognised document"),
}

FOUND_FIELD_LABELS = {
    "reference_tax_income": _("Reference tax income"),
    "parts": _("Number of parts"),
    "income_year": _("Income year"),
    "tax_year": _("Tax year"),
    "declarants": _("Declarants"),
    "tax_number": _("Tax number"),
    "notice_reference": _("Notice reference"),
    "net_pay": _("Net pay"),
    "gross_pay": _("Gross pay"),
    "period": _("Pay period"),
    "employer_siret": _("Employer SIRET"),
    "employer_name": _("Employer"),
    "employee_name": _("Employee"),
    "total_excl_tax": _("Total excluding VAT"),
    "vat": _("VAT"),
    "total_incl_tax": _("Total including VAT"),
    "issuer_siret": _("Issuer SIRET"),
    "issuer_vat": _("Issuer VAT number"),
    "issued_on": _("Date of issue"),
    "number": _("Number"),
    "customer_name": _("Customer"),
    "iban": _("IBAN"),
    "bic": _("BIC"),
    "holder": _("Holder"),
    "siren": _("SIREN"),
    "denomination": _("Company name"),
    "registered_on": _("Registration date"),
    "address": _("Address"),
    "postal_code": _("Postal code"),
    "city": _("City"),
    "issuer": _("Issuer"),
    "project_budget": _("Total budget"),
    "association_name": _("Association"),
}

COMPARISON_STATUS_LABELS = {
    "matches": _("Matches"),
    "differs": _("Differs"),
    "missing": _("Not found on the document"),
    "to_check": _("To check by hand"),
}

SOURCE_LABELS = {
    "text": _("text layer"),
    "ocr": _("OCR"),
    "mixed": _("text layer and OCR"),
    "2ddoc": _("signed 2D-Doc"),
}


def value_formatter(case) -> Callable[[str, str], str]:
    """Amounts and numbers shown the French way in sentences, by the declared field's type."""
    types = {entry["name"]: entry.get("type", "") for entry in case.procedure_version.field_schema}

    def shown(field: str, value: str) -> str:
        kind = types.get(field.split(".")[0], "")
        if value in (None, ""):
            return "—"
        if kind == "money":
            return format_money(value)
        return format_number(value) if kind == "number" else str(value)

    return shown
