"""Probable duplicates among contacts, each with its reasons in words.

A duplicate is only flagged: an agent decides whether to merge. Candidates are
looked up through indexed columns only (identifiers, lower-cased email, birth
date), a bounded number per look-up; names are then compared in Python, on those
few rows only, with rapidfuzz. Persons are compared with persons and companies
with companies, since only those can be merged.
"""

from __future__ import annotations

import operator
import re
from collections import defaultdict
from functools import reduce

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from levier.core.text import fold

from .models import Contact, ContactKind

NAME_THRESHOLD = 90
STRONG_CANDIDATES = 50  # sharing an identifier or the email
BIRTH_DATE_CANDIDATES = 200  # born the same day: about 40 a day per million persons

IDENTIFIERS = ("siret", "siren", "nir", "iban")


def _reason(field: str) -> str:
    return {
        "siret": _("same SIRET"),
        "siren": _("same SIREN"),
        "nir": _("same social security number"),
        "iban": _("same IBAN"),
        "email": _("same email address"),
    }[field]


def fold_name(name: str) -> str:
    """'Jean-Pierre L'Hôte' -> 'jean pierre l hote': accents, case and punctuation aside."""
    return " ".join(re.split(r"[^a-z0-9]+", fold(name))).strip()


def folded_name(contact: Contact) -> str:
    if contact.kind == ContactKind.COMPANY:
        return fold_name(contact.legal_name)
    return fold_name(f"{contact.first_name} {contact.last_name}")


def name_similarity(a: Contact, b: Contact) -> float:
    """0 to 100; word order does not count ('DUPONT Élodie' is 'Elodie Dupont')."""
    first, second = folded_name(a), folded_name(b)
    if not first or not second:
        return 0.0
    return fuzz.token_sort_ratio(first, second)


def _with_email_lower(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    return contacts.alias(email_lower=Lower("email"))


def duplicate_reasons(contact: Contact, other: Contact) -> list[str]:
    """Why `other` is probably the same usager as `contact`; empty if it is not."""
    reasons = [
        _reason(field)
        for field in IDENTIFIERS
        if getattr(contact, field) and getattr(contact, field) == getattr(other, field)
    ]
    same_email = bool(contact.email) and contact.email.lower() == other.email.lower()
    if same_email:
        reasons.append(_reason("email"))
    same_birth_date = contact.birth_date is not None and contact.birth_date == other.birth_date
    score = name_similarity(contact, other)
    if score >= NAME_THRESHOLD and (same_email or same_birth_date):
        if same_birth_date:
            reasons.append(_("same birth date"))
        if score == 100:
            reasons.append(_("same name"))
        else:
            reasons.append(_("close name (%(name)s)") % {"name": other.display_name})
    return reasons


def _candidates(contact: Contact) -> list[Contact]:
    """Contacts sharing an identifier, the email or the birth date with `contact`.

    The queries filter on those indexed columns only: 'active' and 'same kind' hold
    for most rows, and a planner without statistics (SQLite) could otherwise pick
    their index and scan the table. The few rows found are filtered here.
    """
    shared = [
        Q(**{field: getattr(contact, field)}) for field in IDENTIFIERS if getattr(contact, field)
    ]
    if contact.email:
        shared.append(Q(email_lower=contact.email.lower()))
    rows: list[Contact] = []
    if shared:
        sharing = _with_email_lower(Contact.objects.all()).filter(reduce(operator.or_, shared))
        rows += sharing[:STRONG_CANDIDATES]
    if contact.birth_date is not None:
        rows += Contact.objects.filter(birth_date=contact.birth_date)[:BIRTH_DATE_CANDIDATES]
    return [
        row
        for row in {row.pk: row for row in rows}.values()
        if row.pk != contact.pk and row.kind == contact.kind and row.merged_into_id is None
    ]


def probable_duplicates(contact: Contact) -> list[tuple[Contact, list[str]]]:
    """Other active contacts of the same kind that are probably the same usager,
    most reasons first."""
    found = []
    for candidate in _candidates(contact):
        reasons = duplicate_reasons(contact, candidate)
        if reasons:
            found.append((candidate, reasons))
    found.sort(key=lambda pair: (-len(pair[1]), pair[0].pk))
    return found


def duplicate_pairs(limit: int = 50) -> list[tuple[Contact, Contact, list[str]]]:
    """Pairs (oldest, newer) of active contacts sharing an identifier or an email.

    One GROUP BY per identifier, in the database; close names are left to
    `probable_duplicates`, which looks at one contact at a time.
    """
    contacts = Contact.objects.annotate(email_lower=Lower("email"))
    pairs: dict[tuple[int, int], tuple[Contact, Contact, list[str]]] = {}
    for field in (*IDENTIFIERS, "email"):
        column = "email_lower" if field == "email" else field
        shared = (
            contacts.filter(merged_into__isnull=True)
            .exclude(**{field: ""})
            .values("kind", column)
            .annotate(count=Count("id"))
            .filter(count__gt=1)
            .order_by("kind", column)[:limit]
        )
        values = {row[column] for row in shared}
        if not values:
            continue
        groups: dict[tuple[str, str], list[Contact]] = defaultdict(list)
        # Looked up by the indexed value only; merged contacts are skipped here.
        for contact in contacts.filter(**{f"{column}__in": values}).order_by("id")[: limit * 10]:
            if contact.merged_into_id is None:
                groups[contact.kind, getattr(contact, column)].append(contact)
        for first, *others in groups.values():
            for other in others:
                pair = pairs.setdefault((first.pk, other.pk), (first, other, []))
                pair[2].append(_reason(field))
        if len(pairs) >= limit:
            break
    return list(pairs.values())[:limit]
