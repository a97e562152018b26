"""Deterministic generators of realistic French usagers: persons, companies, associations.

Everything comes from one seeded `random.Random`, so the same seed gives the same
people. Identifiers are valid (python-stdnum computes every check digit): NIR
consistent with the birth date, sex and birth place, IBAN with a correct RIB key
and IBAN checksum, SIREN and SIRET with their Luhn digit, VAT number from the SIREN.
Places are real communes drawn in proportion to their population.

Nothing produced here can reach a real person: phone numbers come from the blocks
ARCEP reserves for fiction (06 39 98 xx xx and its regional equivalents) and email
addresses use domains reserved by RFC 2606 (example.com, .example).
"""

from __future__ import annotations

import datetime
import random
import re
from dataclasses import dataclass, field

from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.fr import nir as stdnum_nir
from stdnum.fr import siren as stdnum_siren

from levier.core.text import fold

from . import reference
from .reference import Commune

# Real bank codes of French retail banks (code banque), with a rough market weight.
BANK_CODES = (
    ("30004", 14),
    ("30003", 12),
    ("20041", 12),
    ("30002", 8),
    ("10278", 10),
    ("30066", 5),
    ("17515", 6),
    ("10107", 4),
    ("16006", 6),
    ("13906", 5),
    ("18206", 5),
    ("12506", 4),
    ("14505", 5),
    ("10907", 4),
)
# INSEE codes of birth countries (NIR positions 6-10 are 99 + country code).
BIRTH_COUNTRIES = (
    ("99350", 22),
    ("99352", 20),
    ("99351", 8),
    ("99139", 12),
    ("99134", 6),
    ("99127", 6),
    ("99109", 4),
    ("99131", 4),
    ("99132", 3),
    ("99140", 2),
    ("99341", 5),
    ("99338", 3),
)
# Paris, Lyon and Marseille births are registered in the arrondissement's code.
ARRONDISSEMENTS = {
    "75056": [f"751{n:02d}" for n in range(1, 21)],
    "69123": [f"6938{n}" for n in range(1, 10)],
    "13055": [f"132{n:02d}" for n in range(1, 17)],
}
# ARCEP blocks reserved for fiction: nobody can ever be reached there.
MOBILE_FICTION = "063998"
LANDLINE_FICTION = {"01": "019900", "02": "026191", "03": "035301", "04": "046571", "05": "053649"}
LANDLINE_ZONE_BY_REGION = {
    "11": "01",
    "24": "02",
    "28": "02",
    "52": "02",
    "53": "02",
    "04": "02",
    "06": "02",
    "27": "03",
    "32": "03",
    "44": "03",
    "84": "04",
    "93": "04",
    "94": "04",
    "75": "05",
    "76": "05",
    "01": "05",
    "02": "05",
    "03": "05",
}
PERSON_EMAIL_DOMAINS = (
    ("example.com", 5),
    ("example.org", 3),
    ("example.net", 2),
    ("courriel.example", 1),
)
COMPANY_FORMS = (("SAS", 30), ("SARL", 30), ("SASU", 15), ("EURL", 10), ("EI", 15))
LIEUX = (
    "la Gare",
    "la Place",
    "la Poste",
    "la Mairie",
    "l'Église",
    "la Fontaine",
    "la Halle",
    "la Tour",
    "la Croix",
)
NATURE = (
    "Tilleuls",
    "Chênes",
    "Peupliers",
    "Coquelicots",
    "Hirondelles",
    "Mimosas",
    "Noisetiers",
    "Genêts",
    "Prés",
)


@dataclass(slots=True)
class Address:
    street: str
    postal_code: str
    city: str
    commune_code: str
    departement: str

    @property
    def one_line(self) -> str:
        return f"{self.street}, {self.postal_code} {self.city}"


@dataclass(slots=True)
class PersonRecord:
    first_name: str
    last_name: str
    birth_date: datetime.date
    birth_place_code: str
    nir: str
    email: str
    phone: str
    iban: str
    address: Address

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}"

    def contact_fields(self) -> dict:
        return {
            "kind": "person",
            "first_name": self.first_name,
            "last_name": self.last_name,
            "birth_date": self.birth_date,
            "nir": self.nir,
            "email": self.email,
            "phone": self.phone,
            "iban": self.iban,
            "address": self.address.street,
            "postal_code": self.address.postal_code,
            "city": self.address.city,
            "commune_code": self.address.commune_code,
        }


@dataclass(slots=True)
class CompanyRecord:
    kind: str  # "entreprise" or "association"
    legal_name: str
    trade_name: str
    legal_form: str
    siren: str
    siret: str
    naf_code: str
    naf_label: str
    vat_number: str
    email: str
    phone: str
    iban: str
    address: Address
    registered_on: datetime.date
    manager_first_name: str
    manager_last_name: str
    rna: str = ""
    share_capital: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def display_name(self) -> str:
        return self.legal_name

    def contact_fields(self) -> dict:
        return {
            "kind": "company",
            "legal_name": self.legal_name,
            "siren": self.siren,
            "siret": self.siret,
            "naf_code": self.naf_code,
            "vat_number": self.vat_number,
            "email": self.email,
            "phone": self.phone,
            "iban": self.iban,
            "address": self.address.street,
            "postal_code": self.address.postal_code,
            "city": self.address.city,
            "commune_code": self.address.commune_code,
        }


def rib_key(bank: str, branch: str, account: str) -> str:
    """The two-digit key of a French RIB (letters of the account converted the Banque de France way)."""
    letters = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "12345678912345678923456789")
    digits = account.upper().translate(letters)
    return f"{97 - ((89 * int(bank) + 15 * int(branch) + 3 * int(digits)) % 97):02d}"


def french_iban(bank: str, branch: str, account: str) -> str:
    bban = f"{bank}{branch}{account}{rib_key(bank, branch, account)}"
    return f"FR{stdnum_iban.calc_check_digits('FR00' + bban)}{bban}"


def with_luhn(digits: str) -> str:
    return digits + luhn.calc_check_digit(digits)


def vat_from_siren(siren: str) -> str:
    return "FR" + stdnum_siren.to_tva(siren)


def de(name: str) -> str:
    """'de' before a commune name, with French elision and contraction: d'Annecy, du Mans.

    'La' and "L'" stay as they are, capitalised: de La Rochelle, de L'Isle-Adam.
    """
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if name.startswith(article):
            return contracted + name[len(article) :]
    if fold(name[:1]) in "aeiouyh":
        return "d'" + name
    return "de " + name


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _SLUG.sub("-", fold(text)).strip("-")


def email_local(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "", fold(text).replace(" ", "-").replace("'", ""))


class DemoGenerator:
    """Realistic French usagers from one seed. Not thread-safe: one per worker."""

    def __init__(
        self,
        seed: int = 2026,
        *,
        departement: str | None = None,
        today: datetime.date | None = None,
    ):
        self.rng = random.Random(seed)
        self.today = today or datetime.date.today()
        self.departement = departement
        self._residences = reference.commune_sampler(departement)
        self._births = reference.commune_sampler(None)
        self._first_names = reference.first_names()
        self._last_names = reference.last_names()
        self._banks = reference.Weighted.of(BANK_CODES)
        self._countries = reference.Weighted.of(BIRTH_COUNTRIES)
        self._domains = reference.Weighted.of(PERSON_EMAIL_DOMAINS)
        self._forms = reference.Weighted.of(COMPANY_FORMS)
        self._street_types = reference.street_types()
        self._street_names_by_type = {
            street_type: [
                name
                for name, allowed in reference.street_names()
                if allowed is None or street_type in allowed
            ]
            for street_type in self._street_types.items
        }
        self._used_sirens: set[str] = set()
        self._used_emails: dict[str, int] = {}

    # -- places ---------------------------------------------------------------

    def commune(self) -> Commune:
        return self._residences.pick(self.rng)

    def street(self) -> str:
        rng = self.rng
        street_type = self._street_types.pick(rng)
        name = rng.choice(self._street_names_by_type[street_type])
        if street_type == "place" and rng.random() < 0.5:
            return f"{street_type} {name}"
        number = rng.randint(1, 30) if rng.random() < 0.75 else rng.randint(1, 180)
        suffix = rng.choices(("", " bis", " ter"), cum_weights=(94, 99, 100))[0]
        return f"{number}{suffix} {street_type} {name}"

    def address(self, commune: Commune | None = None) -> Address:
        commune = commune or self.commune()
        return Address(
            self.street(), commune.postal_code, commune.name, commune.code, commune.departement
        )

    # -- identifiers ----------------------------------------------------------

    def birth_place(self, residence: Commune) -> str:
        """INSEE code of the birth place: often the home département, else anywhere, 12% abroad."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.12:
            return self._countries.pick(rng)
        if roll < 0.55 and not self.departement:
            same = reference.commune_sampler(residence.departement)
            code = same.pick(rng).code
        else:
            code = self._births.pick(rng).code
        if code in ARRONDISSEMENTS:
            code = rng.choice(ARRONDISSEMENTS[code])
        return code

    def nir(self, *, sex: str, birth_date: datetime.date, birth_place_code: str) -> str:
        place = birth_place_code
        if place[:2] in ("2A", "2B") and birth_date.year < 1976:
            place = "20" + place[2:]  # Corsica was one département before 1976
        order = self.rng.randint(1, 999)
        body = f"{1 if sex == 'M' else 2}{birth_date.year % 100:02d}{birth_date.month:02d}{place}{order:03d}"
        return body + stdnum_nir.calc_check_digits(body)

    def iban(self) -> str:
        rng = self.rng
        bank = self._banks.pick(rng)
        branch = f"{rng.randint(1, 9999):05d}"
        account = f"{rng.randint(0, 99_999_999_999):011d}"
        return french_iban(bank, branch, account)

    def siren(self, *, first_digits: str = "") -> str:
        rng = self.rng
        while True:
            head = first_digits or str(rng.randint(3, 9))
            body = head + "".join(str(rng.randint(0, 9)) for _ in range(8 - len(head)))
            number = with_luhn(body)
            if number not in self._used_sirens:
                self._used_sirens.add(number)
                return number

    def siret(self, siren: str, establishment: int | None = None) -> str:
        if establishment is None:
            establishment = self.rng.choices((1, 2, 3, 4), cum_weights=(70, 88, 96, 100))[0]
        return with_luhn(f"{siren}{establishment:04d}")

    def mobile_phone(self) -> str:
        return f"{MOBILE_FICTION}{self.rng.randint(0, 9999):04d}"

    def landline_phone(self, commune: Commune) -> str:
        zone = LANDLINE_ZONE_BY_REGION.get(commune.region, "01")
        return f"{LANDLINE_FICTION[zone]}{self.rng.randint(0, 9999):04d}"

    def _unique_local(self, local: str) -> str:
        seen = self._used_emails.get(local, 0)
        self._used_emails[local] = seen + 1
        return local if seen == 0 else f"{local}{seen + 1}"

    def person_email(self, first_name: str, last_name: str, birth_date: datetime.date) -> str:
        rng = self.rng
        first, last = email_local(first_name), email_local(last_name)
        local = rng.choices(
            (
                f"{first}.{last}",
                f"{first[:1]}{last}",
                f"{first}.{last}{birth_date.year % 100:02d}",
                f"{first}{last}",
                f"{last}.{first}",
            ),
            cum_weights=(45, 60, 80, 90, 100),
        )[0]
        return f"{self._unique_local(local)}@{self._domains.pick(rng)}"

    # -- usagers --------------------------------------------------------------

    def birth_date(self, *, min_age: int = 18, max_age: int = 88) -> datetime.date:
        rng = self.rng
        # Triangular: more people of working age than very old ones.
        age = int(rng.triangular(min_age, max_age, min_age + (max_age - min_age) * 0.35))
        birth = self.today - datetime.timedelta(days=365.25 * age + rng.randint(0, 364))
        return birth

    def person(
        self, *, min_age: int = 18, max_age: int = 88, commune: Commune | None = None
    ) -> PersonRecord:
        rng = self.rng
        first = rng.choice(self._first_names)
        last_name = rng.choice(self._last_names)
        if rng.random() < 0.03:
            last_name = f"{last_name}-{rng.choice(self._last_names)}"
        birth_date = self.birth_date(min_age=min_age, max_age=max_age)
        address = self.address(commune)
        home = reference.communes_by_code()[address.commune_code]
        birth_place = self.birth_place(home)
        return PersonRecord(
            first_name=first.name,
            last_name=last_name,
            birth_date=birth_date,
            birth_place_code=birth_place,
            nir=self.nir(sex=first.sex, birth_date=birth_date, birth_place_code=birth_place),
            email=self.person_email(first.name, last_name, birth_date),
            phone=self.mobile_phone(),
            iban=self.iban(),
            address=address,
        )

    def _trade_name(
        self, pattern: str, *, first_name: str, last_name: str, commune: Commune
    ) -> str:
        text = pattern.replace("de {commune}", "{de_commune}")
        return text.format(
            nom=last_name,
            prenom=first_name,
            commune=commune.name,
            de_commune=de(commune.name),
            lieu=self.rng.choice(LIEUX),
            nature=self.rng.choice(NATURE),
        )

    def company(
        self, *, kind: str = "entreprise", min_years: int = 1, max_years: int = 35
    ) -> CompanyRecord:
        """A company (kind 'entreprise') or an association declared in a prefecture ('association')."""
        rng = self.rng
        activity = reference.naf_sampler(kind).pick(rng)
        commune = self.commune()
        manager_first = rng.choice(self._first_names).name
        manager_last = rng.choice(self._last_names)
        trade_name = self._trade_name(
            rng.choice(activity.patterns),
            first_name=manager_first,
            last_name=manager_last,
            commune=commune,
        )
        years = rng.triangular(min_years, max_years, min_years + 2)
        registered_on = self.today - datetime.timedelta(days=int(365.25 * years))
        if kind == "association":
            legal_form = "Association déclarée (loi 1901)"
            legal_name = trade_name
            siren = self.siren(
                first_digits=rng.choice(
                    ("77", "78", "79", "81", "82", "83", "84", "85", "88", "89")
                )
            )
            vat = ""
            dep = commune.departement
            rna = "W" + (dep + str(rng.randint(1, 3)) if len(dep) == 2 else dep)
            rna += f"{rng.randint(0, 10 ** (10 - len(rna)) - 1):0{10 - len(rna)}d}"
            capital = 0
        else:
            legal_form = self._forms.pick(rng)
            if legal_form == "EI":
                legal_name = f"{manager_first} {manager_last.upper()} EI"
            else:
                legal_name = f"{trade_name} {legal_form}"
            siren = self.siren()
            vat = vat_from_siren(siren)
            rna = ""
            capital = (
                0
                if legal_form == "EI"
                else rng.choice((1000, 1500, 2000, 5000, 7500, 10000, 15000, 50000))
            )
        email_domain = self._unique_local(slug(trade_name)[:50].strip("-")) + ".example"
        return CompanyRecord(
            kind=kind,
            legal_name=legal_name[:200],
            trade_name=trade_name,
            legal_form=legal_form,
            siren=siren,
            siret=self.siret(siren),
            naf_code=activity.code,
            naf_label=activity.label,
            vat_number=vat,
            email=f"contact@{email_domain}",
            phone=self.landline_phone(commune) if rng.random() < 0.6 else self.mobile_phone(),
            iban=self.iban(),
            address=self.address(commune),
            registered_on=registered_on,
            manager_first_name=manager_first,
            manager_last_name=manager_last,
            rna=rna,
            share_capital=capital,
        )

    def association(self) -> CompanyRecord:
        return self.company(kind="association", min_years=2, max_years=60)
