"""Reads of contacts, scoped to what the acting agent may see."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from levier.core import policy
from levier.core.models import Agent

from . import identifiers
from .duplicates import fold_name, folded_name
from .models import Contact

# The rows through which an agent sees a contact: their cases (drafts excepted) and enquiries.
# Reached through the reverse relations, not imported: contacts imports no app above it.
VISIBLE_THROUGH = ("cases", "enquiries")


def contact_list_for(agent: Agent) -> QuerySet[Contact]:
    """Contacts with a case (a draft does not count) or an enquiry in one of the agent's teams.

    Each owner's own `visible_to(agent)` says which of its rows the agent sees.
    """
    seen_through = Q()
    for relation in VISIBLE_THROUGH:
        # The owning model, known only at run time (its manager has `visible_to`).
        owner: Any = Contact._meta.get_field(relation).related_model
        rows = owner._default_manager
        seen_through = cast(
            Q, seen_through | Exists(rows.visible_to(agent).filter(contact=OuterRef("pk")))
        )
    return Contact.objects.filter(seen_through).select_related("merged_into")


def get_contact_for(agent: Agent, contact_id: int) -> Contact:
    """One contact, or 404 when it does not exist or has nothing in the agent's teams."""
    contact: Contact | None = contact_list_for(agent).filter(pk=contact_id).first()
    if contact is None:
        raise policy.NotFound("No such contact.")
    return contact


# --- who is calling: the usager an agent looks up while on the phone or at the counter ----

# Accented forms of each letter, so that a name typed without accents finds one with them
# (and the other way round) through a regular expression both SQLite and PostgreSQL run.
_ACCENTS = {
    "a": "aàâäáã", "c": "cç", "e": "eéèêë", "i": "iîïíì", "n": "nñ",
    "o": "oôöóòõ", "u": "uùûüú", "y": "yÿý",
}  # fmt: skip
_NAME_SCAN_CAP = 200  # candidate rows compared in Python at most


def _accent_pattern(term: str) -> str:
    """A regular expression matching `term` (folded: a-z, 0-9) at a word start, any accents."""
    parts = []
    for char in term:
        letters = _ACCENTS.get(char, "")
        # Both cases spelt out: PostgreSQL folds accented capitals only under some locales.
        parts.append(f"[{letters}{letters.upper()}]" if letters else char)
    return "(^|[ '-])" + "".join(parts)


def _identifier_lookup(query: str) -> Q | None:
    """The indexed lookup an identifier-looking query calls for, or None for a name."""
    if "@" in query:
        return Q(email_lower=query.strip().lower())
    compact = identifiers.compact(query)
    if not compact.lstrip("+").isdigit():
        return None
    for normalise, field in (
        (identifiers.normalise_siret, "siret"),
        (identifiers.normalise_siren, "siren"),
        (identifiers.normalise_phone, "phone"),
    ):
        try:
            return Q(**{field: normalise(query)})
        except ValidationError:
            continue
    return Q(pk__in=[])  # digits that are no valid identifier match nobody


def contacts_matching(query: str, limit: int = 10) -> list[Contact]:
    """Active contacts an agent may mean by `query`: an email (exact, case aside), a phone
    number (any French layout), a SIRET or SIREN, or words of a name (accents and case
    aside, each word starting a word of the name). Not scoped to teams: a caller may be
    new to the agent's teams. Persons and companies, by name."""
    query = " ".join((query or "").split())
    if not query:
        return []
    contacts = Contact.objects.active().alias(email_lower=Lower("email"))
    lookup = _identifier_lookup(query)
    if lookup is not None:
        return list(contacts.filter(lookup).order_by("last_name", "first_name", "id")[:limit])
    terms = fold_name(query).split()
    if not terms:
        return []
    # The longest word narrows the scan; every word must then start a word of the name.
    longest = max(terms, key=len)
    pattern = _accent_pattern(longest)
    candidates = contacts.filter(
        Q(last_name__iregex=pattern) | Q(first_name__iregex=pattern) | Q(legal_name__iregex=pattern)
    ).order_by("last_name", "first_name", "legal_name", "id")[:_NAME_SCAN_CAP]
    found = []
    for contact in candidates:
        words = folded_name(contact).split()
        if all(any(word.startswith(term) for word in words) for term in terms):
            found.append(contact)
            if len(found) == limit:
                break
    return found
