"""The merge context: what a document template may print, with French keys.

`merge_context(case)` gives the values; `context_skeleton(procedure)` gives the keys
a template may use on the cases of a procedure (for validation at upload). A declared
field the case has no value for is left out of `dossier`, so printing it fails with
`MissingMergeValue` while `{% if dossier.champ %}` stays usable.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

from django.utils import timezone

from levier.cases.models import Case, CaseStatus, Procedure
from levier.cases.schema import _format_address, choice_pairs, format_number

from .formatting import Formatted, date_longue, montant, to_date, to_decimal

# Keys always present, by section; `dossier` also holds the procedure's declared fields.
FIXED_KEYS: dict[str, tuple[str, ...] | None] = {
    "dossier": (
        "reference", "demarche", "statut", "date_de_depot", "pieces", "pieces_manquantes",
    ),
    "usager": (
        "civilite", "nom", "prenom", "nom_complet", "raison_sociale", "siret",
        "adresse", "code_postal", "commune", "email",
    ),
    "agent": ("prenom", "nom"),
    "equipe": ("nom", "email"),
    "organisation": ("nom", "adresse", "commune", "email", "signataire", "siren", "logo"),
    "date_du_jour": None,
}  # fmt: skip
EMPTY = (None, "", {}, [])


def _is_empty(value: Any) -> bool:
    return any(value is empty or value == empty for empty in EMPTY)


def format_declared(value: Any, entry: dict) -> Any:
    """A declared value formatted by its schema type (money, date, number, choice, address)."""
    field_type = entry.get("type", "text")
    try:
        if field_type == "money":
            return Formatted(montant(value), to_decimal(value))
        if field_type == "date":
            return Formatted(date_longue(value), to_date(value))
    except ValueError:
        return str(value)
    if field_type == "number":
        return Formatted(format_number(value), value)
    if field_type == "choice":
        return dict(choice_pairs(entry.get("choices", []))).get(str(value), str(value))
    if field_type == "address":
        return _format_address(value)
    return str(value)


def _town(address: str) -> str:
    """'1 place de la République\\n69001 Lyon' -> 'Lyon'."""
    lines = [line.strip() for line in address.splitlines() if line.strip()]
    if not lines:
        return ""
    return re.sub(r"^\d{5}\s+", "", lines[-1]).strip()


def _pieces(case: Case) -> list[dict[str, Any]]:
    given = set(case.documents.values_list("field_name", flat=True))
    return [
        {
            "nom": entry["name"],
            "libelle": entry.get("label", entry["name"]),
            "obligatoire": bool(entry.get("required")),
            "fournie": entry["name"] in given,
        }
        for entry in case.procedure_version.field_schema
        if entry.get("type") == "file"
    ]


LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def logo_data_uri(organisation) -> str:
    """The organisation's logo inlined as a data: URI (documents fetch no file or URL), or ""."""
    if not organisation.logo:
        return ""
    content_type = LOGO_TYPES.get(Path(organisation.logo.name).suffix.lower())
    if content_type is None:
        return ""
    try:
        with organisation.logo.open("rb") as handle:
            encoded = base64.b64encode(handle.read()).decode("ascii")
    except OSError:
        return ""  # a missing file must not stop every letter
    return f"data:{content_type};base64,{encoded}"


def merge_context(case: Case, *, agent: Any = None) -> dict[str, Any]:
    """Every value a template may print about `case`, formatted the French way."""
    procedure = case.procedure
    organisation = procedure.organisation
    contact = case.contact
    data = case.data or {}
    dossier: dict[str, Any] = {}
    for entry in case.procedure_version.field_schema:
        name = entry.get("name", "")
        if entry.get("type") == "file" or _is_empty(data.get(name)):
            continue
        dossier[name] = format_declared(data[name], entry)
    pieces = _pieces(case)
    dossier.update(
        reference=case.reference,
        demarche=procedure.name,
        statut=str(CaseStatus(case.status).label),
        pieces=pieces,
        pieces_manquantes=[piece for piece in pieces if not piece["fournie"]],
    )
    if case.submitted_at:
        dossier["date_de_depot"] = Formatted(date_longue(case.submitted_at), case.submitted_at)
    today = timezone.localdate()
    return {
        "dossier": dossier,
        "usager": {
            "civilite": getattr(contact, "civility", "") or "",
            "nom": contact.last_name,
            "prenom": contact.first_name,
            "nom_complet": contact.display_name,
            "raison_sociale": contact.legal_name,
            "siret": contact.siret,
            "adresse": contact.address,
            "code_postal": contact.postal_code,
            "commune": contact.city,
            "email": contact.email,
        },
        "agent": {
            "prenom": getattr(agent, "first_name", "") or "",
            "nom": getattr(agent, "last_name", "") or "",
        },
        "equipe": {"nom": case.team.name, "email": case.team.email},
        "organisation": {
            "nom": organisation.name,
            "adresse": organisation.address,
            "commune": _town(organisation.address),
            "email": organisation.email,
            "signataire": organisation.signatory,
            "siren": organisation.siren,
            "logo": logo_data_uri(organisation),
        },
        "date_du_jour": Formatted(date_longue(today), today),
    }


def context_skeleton(procedure: Procedure | None) -> dict[str, set[str] | None]:
    """The keys a template may use: the fixed ones, plus the declared fields of the
    procedure's current schema (none for a template usable on every procedure)."""
    known: dict[str, set[str] | None] = {
        key: (set(sub) if sub is not None else None) for key, sub in FIXED_KEYS.items()
    }
    version = procedure.current_version if procedure is not None else None
    if version is not None:
        dossier = known["dossier"]
        assert dossier is not None
        dossier.update(
            entry["name"] for entry in version.field_schema if entry.get("type") != "file"
        )
    return known


def known_field_names(known: dict[str, set[str] | None]) -> list[str]:
    """['agent.nom', 'agent.prenom', ..., 'date_du_jour', ...] for error messages."""
    names = []
    for key, sub in known.items():
        if sub is None:
            names.append(key)
        else:
            names.extend(f"{key}.{name}" for name in sorted(sub))
    return sorted(names)
