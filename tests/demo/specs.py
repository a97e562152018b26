"""Demo document specs of the kinds added for controls, shared by the demo and 2D-Doc tests."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal

from levier.demo.pdfs import AddressProofSpec, PayslipSpec, RibSpec

PAYSLIP = PayslipSpec(
    declared_net_pay=Decimal("1850.40"),
    printed_net_pay=Decimal("1850.40"),
    employer="Boulangerie Martin SARL",
    employer_siret="73282932000074",
    employer_address=("3 place du Marché", "69002 Lyon"),
    employee="Léa BERNARD",
    employee_address=("8 rue Victor Hugo", "69003 Lyon"),
    period=datetime.date(2026, 1, 1),
    withholding_rate=Decimal("2.5"),
)
RIB = RibSpec(
    declared_iban="FR76 3000 6000 0112 3456 7890 189",
    printed_iban="FR7630006000011234567890189",
    holder="Mme Léa BERNARD",
    holder_address=("8 rue Victor Hugo", "69003 Lyon"),
    bank="Banque de démonstration",
    domiciliation=("Agence Lyon Part-Dieu", "20 boulevard Vivier-Merle, 69003 Lyon"),
    bic="AGRIFRPPXXX",
)
ENERGY_BILL = AddressProofSpec(
    declared="8 rue Victor Hugo",
    holder="Léa BERNARD",
    street="8 rue Victor Hugo",
    postal_code="69003",
    city="Lyon",
    issuer="Énergies du Rhône",
    issued_on=datetime.date(2026, 2, 3),
    reference="CT-000123",
    amount=Decimal("96.40"),
)
RENT_RECEIPT = replace(
    ENERGY_BILL,
    bill="rent",
    issuer="SCI Lumière",
    amount=Decimal("640"),
    checked="holder",
    declared="Léa BERNARD",
)
