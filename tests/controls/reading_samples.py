"""Demo supporting documents with their specs, for the reading tests and benchmark."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from levier.demo.casedata import CaseDataBuilder
from levier.demo.generators import DemoGenerator
from levier.demo.pdfs import PrintedDocument, print_documents

SUBMITTED_ON = datetime.date(2026, 3, 2)
PROCEDURES = ("aide-petites-entreprises", "aide-logement", "subvention-associations")


def demo_documents(
    cases_per_procedure: int, seed: int = 11
) -> list[tuple[object, PrintedDocument]]:
    """(spec, printed document) for the kinds the case data builder prints."""
    generator = DemoGenerator(seed, today=SUBMITTED_ON)
    builder = CaseDataBuilder(generator)
    makers = {
        "aide-petites-entreprises": generator.company,
        "aide-logement": generator.person,
        "subvention-associations": generator.association,
    }
    specs = []
    for slug in PROCEDURES:
        for _ in range(cases_per_procedure):
            specs.extend(builder.build(slug, makers[slug](), SUBMITTED_ON)[1])
    return list(zip(specs, print_documents(specs), strict=True))


def _iban(rng: random.Random) -> str:
    from schwifty import IBAN

    bank, branch = f"{rng.randrange(10000, 99999)}", f"{rng.randrange(10000):05d}"
    account = f"{rng.randrange(10**10, 10**11)}"
    return IBAN.generate("FR", bank_code=bank + branch, account_code=account).compact


def other_specs(count: int, seed: int = 3) -> list:
    """Payslips, RIBs and address proofs (energy bills and rent receipts), varied."""
    from levier.demo.pdfs import AddressProofSpec, PayslipSpec, RibSpec

    rng = random.Random(seed)
    people = ["Camille MARTIN", "Jean-François DEVAUX", "Nathalie MORIN", "Thiago TRAORÉ"]
    streets = ["4 rue Gabriel Péri", "122 avenue de Verdun", "7 impasse de la Mairie"]
    cities = [("92800", "Puteaux"), ("59370", "Mons-en-Barœul"), ("63230", "Bromont-Lamothe")]
    sirets = ["91614610300012", "73679160900018", "72174218700017"]
    specs = []
    for index in range(count):
        person, street = rng.choice(people), rng.choice(streets)
        postal_code, city = rng.choice(cities)
        net = Decimal(rng.randrange(120_000, 450_000)) / 100
        specs.append(
            PayslipSpec(
                declared_net_pay=net,
                printed_net_pay=net,
                employer="Boulangerie du Centre SARL",
                employer_siret=rng.choice(sirets),
                employer_address=(street, f"{postal_code} {city}"),
                employee=person,
                employee_address=(street, f"{postal_code} {city}"),
                period=datetime.date(2026, 1 + index % 12, 15),
            )
        )
        iban = _iban(rng)
        specs.append(
            RibSpec(
                declared_iban=iban,
                printed_iban=iban,
                holder=person,
                holder_address=(street, f"{postal_code} {city}"),
                bank="Banque Populaire Rhône",
                domiciliation=("Agence Lyon Part-Dieu", "12 rue Garibaldi 69003 Lyon"),
                bic="CCBPFRPPLYN",
            )
        )
        specs.append(
            AddressProofSpec(
                declared=street, holder=person, street=street, postal_code=postal_code, city=city,
                issuer="Énergies du Rhône" if index % 2 == 0 else "M. Paul LEFÈVRE",
                issued_on=datetime.date(2026, 2, 1 + index % 27), reference=f"C-{rng.randrange(10**8)}",
                amount=Decimal(rng.randrange(5_000, 150_000)) / 100,
                bill="energy" if index % 2 == 0 else "rent",
            )
        )  # fmt: skip
    return specs


def other_documents(count: int, seed: int = 3) -> list[tuple[object, PrintedDocument]]:
    specs = other_specs(count, seed)
    return list(zip(specs, print_documents(specs), strict=True))
