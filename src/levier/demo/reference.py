"""Reference data of the demo, loaded once per process.

Communes and départements come from `levier.core.geo` (Etalab's découpage
administratif, see core/data/README.md); first names, surnames, street names and NAF
patterns under `demo/data/` were written for levier. Nothing here invents a place name.
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from levier.core import geo
from levier.core.geo import Commune, Departement  # noqa: F401  (re-exported for the demo)

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True, slots=True)
class FirstName:
    name: str
    sex: str  # "F" or "M": only ever used to compute a NIR, never stored


@dataclass(frozen=True, slots=True)
class NafActivity:
    code: str
    label: str
    kind: str  # "entreprise" or "association"
    weight: int
    patterns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Weighted:
    """Items with cumulative weights, ready for `random.choices(cum_weights=...)`."""

    items: tuple
    cum_weights: tuple[float, ...]

    @classmethod
    def of(cls, pairs) -> Weighted:
        pairs = [(item, weight) for item, weight in pairs if weight > 0]
        if not pairs:
            raise ValueError("Nothing to choose from: every weight is zero.")
        items = tuple(item for item, _weight in pairs)
        cum = tuple(itertools.accumulate(weight for _item, weight in pairs))
        return cls(items, cum)

    def pick(self, rng) -> object:
        return rng.choices(self.items, cum_weights=self.cum_weights)[0]


def _csv_rows(name: str) -> list[dict[str, str]]:
    path = DATA_DIR / name
    if name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(io.StringIO(handle.read())))


@cache
def communes() -> tuple[Commune, ...]:
    """Every current commune (commune-actuelle) of the COG, with its 2021-2023 population."""
    return tuple(geo.communes().values())


communes_by_code = geo.communes
departements = geo.departements


def is_residential(commune: Commune) -> bool:
    """Metropolitan France and the five DROM (where levier's usagers live, with a postcode)."""
    dep = commune.departement
    return bool(commune.postal_code) and (
        len(dep) == 2 or dep in {"971", "972", "973", "974", "976"}
    )


@cache
def residential_communes() -> dict[str, list[Commune]]:
    """Residential communes by département."""
    by_departement: dict[str, list[Commune]] = {}
    for commune in communes():
        if is_residential(commune):
            by_departement.setdefault(commune.departement, []).append(commune)
    return by_departement


@cache
def commune_sampler(departement: str | None = None) -> Weighted:
    """Communes weighted by population, optionally within one département."""
    if departement:
        chosen = residential_communes().get(departement)
        if not chosen:
            raise ValueError(
                f"No commune in département {departement!r}; use a code such as 69 or 2A."
            )
    else:
        chosen = [c for group in residential_communes().values() for c in group]
    return Weighted.of((c, c.population) for c in chosen)


@cache
def first_names() -> tuple[FirstName, ...]:
    return tuple(FirstName(row["prenom"], row["sexe"]) for row in _csv_rows("first_names.csv"))


@cache
def last_names() -> tuple[str, ...]:
    text = (DATA_DIR / "last_names.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@cache
def street_types() -> Weighted:
    return Weighted.of((row["type"], int(row["poids"])) for row in _csv_rows("street_types.csv"))


@cache
def street_names() -> tuple[tuple[str, frozenset[str] | None], ...]:
    """(name, allowed street types or None for any)."""
    return tuple(
        (row["nom"], None if row["types"] == "*" else frozenset(row["types"].split("|")))
        for row in _csv_rows("street_names.csv")
    )


@cache
def naf_activities() -> tuple[NafActivity, ...]:
    return tuple(
        NafActivity(
            code=row["code"],
            label=row["libelle"],
            kind=row["genre"],
            weight=int(row["poids"]),
            patterns=tuple(row["modeles"].split("|")),
        )
        for row in _csv_rows("naf.csv")
    )


@cache
def naf_sampler(kind: str) -> Weighted:
    return Weighted.of((a, a.weight) for a in naf_activities() if a.kind == kind)


@cache
def naf_labels() -> dict[str, str]:
    return {activity.code: activity.label for activity in naf_activities()}
