"""French geography: communes and départements, loaded once per process.

The files under `core/data/` come from Etalab's `@etalab/decoupage-administratif`
(see data/README.md). Run-time code (enquiry intake, routing) and the demo both read
them from here.
"""

from __future__ import annotations

import csv
import gzip
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .text import fold

DATA_DIR = Path(__file__).resolve().parent / "data"

# Overseas départements and collectivités have 3-digit codes (971 Guadeloupe…).
OVERSEAS_PREFIX = "97"
# A bare name is read as a commune only when the commune is this big (precision first).
PROMINENT_POPULATION = 20_000
# …and this many times bigger than any namesake (Valence, Drôme vs Valence, Tarn-et-Garonne).
PROMINENCE_RATIO = 10


@dataclass(frozen=True, slots=True)
class Commune:
    code: str  # code INSEE (COG)
    name: str
    departement: str
    region: str
    postal_code: str  # the first one only; large communes have several
    population: int


@dataclass(frozen=True, slots=True)
class Departement:
    code: str
    name: str
    region: str
    region_name: str
    chef_lieu: str  # INSEE code of the commune


def _csv_rows(name: str) -> list[dict[str, str]]:
    path = DATA_DIR / name
    if name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@cache
def communes() -> dict[str, Commune]:
    """Every current commune of the COG by INSEE code, in the file's order."""
    return {
        row["code"]: Commune(
            code=row["code"],
            name=row["nom"],
            departement=row["departement"],
            region=row["region"],
            postal_code=row["code_postal"],
            population=int(row["population"] or 0),
        )
        for row in _csv_rows("communes.csv.gz")
    }


@cache
def departements() -> dict[str, Departement]:
    """The 101 départements and the collectivités d'outre-mer, by code ("01", "2A", "974")."""
    return {
        row["code"]: Departement(
            row["code"], row["nom"], row["region"], row["region_nom"], row["chef_lieu"]
        )
        for row in _csv_rows("departements.csv")
    }


@cache
def _departements_by_postal_code() -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for commune in communes().values():
        if commune.postal_code:
            found[commune.postal_code].add(commune.departement)
    return {code: frozenset(deps) for code, deps in found.items()}


_POSTAL_CODE = re.compile(r"[0-9]{5}")


def departement_of_postal_code(code: str) -> str | None:
    """The département a postal code delivers to: '69003' -> '69', '20000' -> '2A'.

    None for what is not a French postal code (Monaco's 980xx, 00xxx).
    """
    code = (code or "").strip()
    if not _POSTAL_CODE.fullmatch(code):
        return None
    known = _departements_by_postal_code().get(code, frozenset())
    if len(known) == 1:  # Corsica, Saint-Barthélemy (97133 -> 977), Saint-Martin
        return next(iter(known))
    if code.startswith("20"):
        # La Poste splits Corsica at 20200: 200xx-201xx Corse-du-Sud, the rest Haute-Corse.
        return "2A" if code < "20200" else "2B"
    prefix = code[:3] if code.startswith((OVERSEAS_PREFIX, "98")) else code[:2]
    return prefix if prefix in departements() else None


def departement_of_commune(insee: str) -> str | None:
    """The département of a commune by INSEE code; arrondissements (75111) count too."""
    insee = (insee or "").strip().upper()
    commune = communes().get(insee)
    if commune is not None:
        return commune.departement
    if not re.fullmatch(r"[0-9]{5}|2[AB][0-9]{3}", insee):
        return None
    prefix = insee[:3] if insee.startswith(("97", "98")) else insee[:2]
    return prefix if prefix in departements() else None


def postal_code_departements(code: str) -> frozenset[str]:
    """Every département a postal code may belong to (a few straddle two)."""
    main = departement_of_postal_code(code)
    known = _departements_by_postal_code().get(code, frozenset())
    return known | {main} if main else known


# "St-Étienne" is the same place as "Saint-Étienne".
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_NAME_WORD = re.compile(r"[^\W_]+")


def commune_name_key(name: str) -> str:
    """How names are compared: folded, words only. "L'Haÿ-les-Roses" -> 'l hay les roses'."""
    words = _NAME_WORD.findall(fold(name).replace("œ", "oe").replace("æ", "ae"))
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


@cache
def commune_names() -> dict[str, tuple[Commune, ...]]:
    """Communes by name key, most populous first; more than one means a homonym."""
    found: dict[str, list[Commune]] = defaultdict(list)
    for commune in communes().values():
        found[commune_name_key(commune.name)].append(commune)
    return {key: tuple(sorted(group, key=lambda c: -c.population)) for key, group in found.items()}


@cache
def longest_commune_name() -> int:
    """The most words in a commune's name key, to bound look-ahead when matching text."""
    return max(len(key.split()) for key in commune_names())


def communes_named(key: str) -> tuple[Commune, ...]:
    return commune_names().get(key, ())


def prominent_commune(key: str) -> Commune | None:
    """The commune a bare name means, if it is unambiguous and big enough.

    Lyon or Montreuil (a 2,000-person namesake) yes; Saint-Denis (93 and 974) or a
    village no.
    """
    named = communes_named(key)
    if not named or named[0].population < PROMINENT_POPULATION:
        return None
    if len(named) > 1 and named[0].population < PROMINENCE_RATIO * named[1].population:
        return None
    return named[0]


def commune_at_postal_code(key: str, postal_code: str) -> Commune | None:
    """The commune of that name served by that postal code ('33000', 'bordeaux')."""
    named = communes_named(key)
    if not named:
        return None
    exact = [c for c in named if c.postal_code == postal_code]
    if len(exact) == 1:
        return exact[0]
    departements_ = postal_code_departements(postal_code)
    matching = [c for c in named if c.departement in departements_]
    return matching[0] if len(matching) == 1 else None


# Municipal arrondissements have INSEE codes of their own; a rule on the commune covers them.
ARRONDISSEMENT_RANGES = {"75056": range(75101, 75121), "69123": range(69381, 69390),
                         "13055": range(13201, 13217)}  # fmt: skip


def commune_codes_of(code: str) -> set[str]:
    """The INSEE code itself and, for a municipal arrondissement, its commune's code."""
    if not code:
        return set()
    codes = {code}
    if code.isdigit():
        codes |= {parent for parent, span in ARRONDISSEMENT_RANGES.items() if int(code) in span}
    return codes
