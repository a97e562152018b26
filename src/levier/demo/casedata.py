"""Declared data of demo cases, consistent with the usager, and the documents behind it.

For each procedure, `CaseDataBuilder.build()` returns the JSON stored in `Case.data`
(shaped like `levier.cases.schema.cleaned_to_data` shapes it: money as '1234.50',
numbers as int, dates ISO, empty optional fields as None or '') and the specs of the
supporting documents, which print the same values except for `pdfs.MISMATCH_RATE`
of them.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal
from typing import Any

from . import content, reference
from .generators import CompanyRecord, DemoGenerator, PersonRecord, de
from .pdfs import (
    MISMATCH_RATE,
    BudgetSpec,
    DocumentSpec,
    InvoiceSpec,
    KbisSpec,
    TaxNoticeSpec,
    money,
)

LEGAL_FORMS = {
    "SAS": "Société par actions simplifiée",
    "SASU": "Société par actions simplifiée unipersonnelle",
    "SARL": "Société à responsabilité limitée",
    "EURL": "Entreprise unipersonnelle à responsabilité limitée",
    "EI": "Entrepreneur individuel",
}
INVOICE_ITEMS = {
    "Investissement matériel": [
        "Équipement professionnel neuf",
        "Livraison et installation",
        "Mise en service",
        "Formation à l'utilisation",
        "Extension de garantie deux ans",
    ],
    "Travaux d'aménagement du local": [
        "Démolition et évacuation des gravats",
        "Cloisons et faux plafond",
        "Électricité et éclairage",
        "Peinture et revêtements de sol",
        "Rampe d'accès PMR",
    ],
    "Transition écologique": [
        "Pompe à chaleur air-eau",
        "Isolation des combles (laine de bois)",
        "Panneaux photovoltaïques 6 kWc",
        "Pose et raccordement",
        "Étude thermique",
    ],
    "Numérique et site internet": [
        "Conception du site",
        "Module de paiement en ligne",
        "Logiciel de caisse (licence)",
        "Formation du personnel",
        "Hébergement et maintenance un an",
    ],
    "Reprise d'entreprise": [
        "Rachat du matériel d'exploitation",
        "Stock de marchandises",
        "Frais d'acte",
        "Audit comptable de reprise",
    ],
}


def choices_of(schema: list[dict], name: str) -> list[str]:
    return next(entry["choices"] for entry in schema if entry["name"] == name)


def _money_text(value: Decimal | float | int) -> str:
    return f"{money(value)}"


class CaseDataBuilder:
    """Builds declared data and document specs with the generator's random stream."""

    SUPPLIERS = 400  # invoices come from a few hundred local suppliers

    def __init__(self, generator: DemoGenerator):
        self.generator = generator
        self.rng = generator.rng
        self._suppliers: list[CompanyRecord] = []

    def supplier(self) -> CompanyRecord:
        if len(self._suppliers) < self.SUPPLIERS:
            self._suppliers.append(self.generator.company())
            return self._suppliers[-1]
        return self.rng.choice(self._suppliers)

    # -- shared ---------------------------------------------------------------

    def _mismatch(self) -> bool:
        return self.rng.random() < MISMATCH_RATE

    def _registry_city(self, departement: str) -> str:
        """The chef-lieu of the département: where its greffe and tax office sit."""
        dep = reference.departements().get(departement)
        if dep is None:
            return "Paris"
        chef_lieu = reference.communes_by_code().get(dep.chef_lieu)
        return chef_lieu.name if chef_lieu else dep.name

    def _lognormal(self, median: float, sigma: float, low: float, high: float) -> float:
        return min(high, max(low, self.rng.lognormvariate(math.log(median), sigma)))

    def _days_before(self, day: datetime.date, low: int, high: int) -> datetime.date:
        return day - datetime.timedelta(days=self.rng.randint(low, high))

    def build(
        self, slug: str, record: Any, submitted_on: datetime.date, *, documents: bool = True
    ) -> tuple[dict, list[DocumentSpec]]:
        """Declared data, and the specs of its documents unless `documents` is False."""
        if slug == "aide-petites-entreprises":
            return self.small_business(record, submitted_on, documents)
        if slug == "aide-logement":
            return self.housing(record, submitted_on, documents)
        if slug == "subvention-associations":
            return self.association(record, submitted_on, documents)
        raise ValueError(f"No demo data for the procedure {slug!r}.")

    # -- Aide aux petites entreprises -----------------------------------------

    def small_business(
        self, company: CompanyRecord, submitted_on: datetime.date, documents: bool = True
    ) -> tuple[dict, list]:
        rng = self.rng
        headcount = int(self._lognormal(3, 1.0, 0, 49)) if rng.random() > 0.25 else 0
        turnover = money(round((headcount + 1) * rng.uniform(55_000, 140_000), -2))
        category = rng.choices(
            list(content.PROJECTS["aide-petites-entreprises"]), cum_weights=(35, 55, 80, 95, 100)
        )[0]
        description = rng.choice(content.PROJECTS["aide-petites-entreprises"][category])
        cost = money(self._lognormal(18_000, 0.8, 2_000, 300_000) + rng.randint(0, 99) / 100)
        requested = min(Decimal(15_000), money(round(float(cost) * rng.uniform(0.3, 0.5), -1)))
        requested = max(Decimal(500), requested)
        data = {
            "siret": company.siret,
            "company_created_on": company.registered_on.isoformat(),
            "headcount": headcount,
            "turnover": _money_text(turnover),
            "project_category": category,
            "project_description": description,
            "project_cost": _money_text(cost),
            "amount_requested": _money_text(requested),
            "iban": company.iban,
            "contact_phone": self.generator.mobile_phone() if rng.random() < 0.6 else "",
        }
        if not documents:
            return data, []
        declared_siren = company.siret[:9]
        kbis = KbisSpec(
            declared_siren=declared_siren,
            printed_siren=self.generator.siren() if self._mismatch() else declared_siren,
            denomination=company.trade_name if company.legal_form != "EI" else company.legal_name,
            legal_form=LEGAL_FORMS.get(company.legal_form, company.legal_form),
            share_capital=company.share_capital,
            address=company.address.one_line,
            activity=f"{company.naf_label} (code NAF {company.naf_code})",
            manager=f"{company.manager_first_name} {company.manager_last_name.upper()}",
            registered_on=company.registered_on,
            registry_city=self._registry_city(company.address.departement),
            extract_on=self._days_before(submitted_on, 1, 80),
        )
        supplier = self.supplier()
        printed_cost = (
            money(cost * Decimal(str(round(rng.uniform(0.6, 0.88), 3))))
            if self._mismatch()
            else cost
        )
        issued_on = self._days_before(submitted_on, 5, 60)
        is_quote = rng.random() < 0.7
        invoice = InvoiceSpec(
            declared_total=cost,
            printed_total=printed_cost,
            customer=company.legal_name,
            customer_address=(
                company.address.street,
                f"{company.address.postal_code} {company.address.city}",
            ),
            supplier=supplier.legal_name,
            supplier_siret=supplier.siret,
            supplier_vat=supplier.vat_number,
            supplier_address=(
                supplier.address.street,
                f"{supplier.address.postal_code} {supplier.address.city}",
            ),
            number=f"{'D' if is_quote else 'F'}{issued_on.year}-{rng.randint(1, 9999):04d}",
            issued_on=issued_on,
            items=tuple(
                rng.sample(
                    INVOICE_ITEMS[category], k=min(len(INVOICE_ITEMS[category]), rng.randint(2, 4))
                )
            ),
            is_quote=is_quote,
        )
        return data, [kbis, invoice]

    # -- Aide au logement ------------------------------------------------------

    def housing(
        self, person: PersonRecord, submitted_on: datetime.date, documents: bool = True
    ) -> tuple[dict, list]:
        rng = self.rng
        size = rng.choices((1, 2, 3, 4, 5, 6), cum_weights=(30, 55, 73, 88, 96, 100))[0]
        couple = size >= 2 and rng.random() < 0.6
        adults = 2 if couple else 1
        children = size - adults
        parts = Decimal(adults) + Decimal("0.5") * min(children, 2) + Decimal(max(children - 2, 0))
        if not couple and children:
            parts += Decimal("0.5")  # parent isolé
        income = money(
            round(
                self._lognormal(12_500, 0.45, 0, 60_000) * adults + children * rng.uniform(0, 1500)
            )
        )
        housing_type = rng.choices(
            choices_of(content.LOGEMENT_SCHEMA, "housing_type"), cum_weights=(45, 95, 100)
        )[0]
        commune = person.address.city
        if housing_type.startswith("Logement social"):
            landlord = f"Office public de l'habitat {de(commune)}"
            rent = rng.uniform(230, 420) + 55 * size
        elif housing_type.startswith("Foyer"):
            landlord = f"Résidence sociale {de(commune)}"
            rent = rng.uniform(300, 480)
        else:
            owner_last = rng.choice(reference.last_names())
            landlord = rng.choice(
                (
                    f"{rng.choice(('M.', 'Mme'))} {rng.choice(reference.first_names()).name} {owner_last.upper()}",
                    f"Agence immobilière {owner_last}",
                    f"SCI {owner_last}",
                )
            )
            rent = rng.uniform(380, 650) + 90 * size
        if person.address.departement in {"75", "92", "93", "94"}:
            rent *= 1.45
        lease_start = self._days_before(submitted_on, 30, 8 * 365)
        data = {
            "nir": person.nir,
            "household_size": size,
            "reference_tax_income": _money_text(income),
            "housing_type": housing_type,
            "landlord": landlord,
            "lease_start": lease_start.isoformat(),
            "monthly_rent": _money_text(round(rent, 2)),
            "monthly_charges": _money_text(round(rng.uniform(25, 160), 2))
            if rng.random() < 0.8
            else None,
            "iban": person.iban,
        }
        if not documents:
            return data, []
        if self._mismatch():
            printed = money(round(float(income) * rng.uniform(1.15, 1.6)))
        else:
            printed = income
        notice_year = submitted_on.year if submitted_on.month >= 9 else submitted_on.year - 1
        holder = f"{person.last_name.upper()} {person.first_name}"
        if couple:
            holder += f" et {rng.choice(reference.first_names()).name}"
        dep = person.address.departement
        notice = TaxNoticeSpec(
            declared_income=income,
            printed_income=printed,
            parts=parts,
            holder=holder,
            address_lines=(
                person.address.street,
                f"{person.address.postal_code} {person.address.city.upper()}",
            ),
            tax_number=f"{rng.randint(0, 3)}{rng.randint(0, 999_999_999_999):012d}",
            notice_reference=f"{notice_year % 100:02d} {dep[:2]} {rng.choice('ABCDEFGHJK')}{rng.randint(0, 999_999):06d} "
            f"{rng.randint(10, 99)}",
            office=f"Service des impôts des particuliers {de(self._registry_city(dep))}",
            year=notice_year,
        )
        return data, [notice]

    # -- Subvention aux associations ------------------------------------------

    def association(
        self, association: CompanyRecord, submitted_on: datetime.date, documents: bool = True
    ) -> tuple[dict, list]:
        rng = self.rng
        title, description = rng.choice(content.PROJECTS["subvention-associations"])
        budget = money(round(self._lognormal(9_000, 0.9, 800, 400_000), -1))
        requested = max(
            Decimal(200),
            min(Decimal(50_000), money(round(float(budget) * rng.uniform(0.2, 0.5), -1))),
        )
        other = (
            money(round(float(budget) * rng.uniform(0.05, 0.25), -1))
            if rng.random() < 0.5
            else None
        )
        data = {
            "rna": association.rna,
            "siret": association.siret,
            "members": int(self._lognormal(60, 1.0, 7, 5000)),
            "project_title": title,
            "project_description": description,
            "audience": rng.choice(choices_of(content.ASSOCIATION_SCHEMA, "audience")),
            "project_budget": _money_text(budget),
            "amount_requested": _money_text(requested),
            "other_funding": _money_text(other) if other is not None else None,
            "iban": association.iban,
        }
        if not documents:
            return data, []
        if self._mismatch():
            factor = rng.choice((rng.uniform(0.7, 0.9), rng.uniform(1.1, 1.3)))
            printed = money(round(float(budget) * factor, -1))
        else:
            printed = budget
        spec = BudgetSpec(
            declared_total=budget,
            printed_total=printed,
            association=association.legal_name,
            rna=association.rna,
            project_title=title,
            amount_requested=requested,
            other_funding=other or Decimal(0),
            president=f"{association.manager_first_name} {association.manager_last_name.upper()}",
            signed_on=self._days_before(submitted_on, 2, 30),
        )
        return data, [spec]
