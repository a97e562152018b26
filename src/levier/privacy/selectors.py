"""Reads for the data protection officer: whose data, and every read or export of it.

Scoped by the policy in core (`Agent.audited_team_ids`): the DPO and administrators audit
the usagers of their organisation's teams, and see nothing else through this app.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from levier.cases.models import Case
from levier.contacts.identifiers import compact
from levier.contacts.models import Contact
from levier.core.models import Agent
from levier.enquiries.models import Enquiry
from levier.journal.models import Event, EventSubject
from levier.journal.verbs import PERSONAL_DATA_VERBS

SEARCH_LIMIT = 50
# A contact merged into another keeps its old journal events: follow merges this deep.
MERGE_DEPTH = 10


def audited_contacts(agent: Agent) -> QuerySet[Contact]:
    """Contacts whose reads the agent may audit: those with a case or an enquiry in the
    audited teams, and those with neither yet (created by hand or by a partner). None for an
    agent who may not audit (fail closed)."""
    team_ids = agent.audited_team_ids()
    if not team_ids:
        return Contact.objects.none()
    any_case = Case.objects.filter(contact=OuterRef("pk"))
    any_enquiry = Enquiry.objects.filter(contact=OuterRef("pk"))
    return Contact.objects.filter(
        Exists(any_case.filter(team_id__in=team_ids))
        | Exists(any_enquiry.filter(team_id__in=team_ids))
        | (~Exists(any_case) & ~Exists(any_enquiry))
    )


def search_contacts(agent: Agent, query: str) -> list[Contact]:
    """Persons and companies by name, email or identifier (NIR, SIREN, SIRET, IBAN, exact)."""
    query = (query or "").strip()
    if not query:
        return []
    plain = compact(query)
    found = Q(email__iexact=query)
    if plain.isalnum() and any(character.isdigit() for character in plain):
        found |= Q(nir=plain) | Q(siren=plain) | Q(siret=plain) | Q(iban=plain)
    words = query.split()
    by_name = Q()
    for word in words:
        by_name &= (
            Q(last_name__icontains=word)
            | Q(first_name__icontains=word)
            | Q(legal_name__icontains=word)
        )
    if words:
        found |= by_name
    return list(
        audited_contacts(agent)
        .filter(found)
        .order_by("last_name", "first_name", "legal_name", "id")[:SEARCH_LIMIT]
    )


def get_audited_contact(agent: Agent, contact_id: int) -> Contact:
    """One contact the agent may audit; 404 for missing and forbidden alike."""
    contact = audited_contacts(agent).filter(pk=contact_id).first()
    if contact is None:
        raise Http404("No such contact.")
    return contact


def contact_and_merged_ids(contact: Contact) -> list[int]:
    """The contact and every contact merged into it, however indirectly."""
    ids, frontier = [contact.pk], [contact.pk]
    for _depth in range(MERGE_DEPTH):
        frontier = list(
            Contact.objects.filter(merged_into_id__in=frontier).values_list("id", flat=True)
        )
        if not frontier:
            break
        ids += frontier
    return ids


def data_keys_of(contact: Contact) -> dict[str, list[str]]:
    """Journal targets that hold this usager's data: their contact rows, cases, enquiries."""
    contact_ids = contact_and_merged_ids(contact)
    keys: dict[str, list[str]] = defaultdict(list)
    keys["contacts.contact"] = [str(pk) for pk in contact_ids]
    # Events written before targets were named by their concrete model used the proxies'.
    keys["contacts.person"] = keys["contacts.company"] = keys["contacts.contact"]
    keys["cases.case"] = [
        str(pk)
        for pk in Case.objects.filter(contact_id__in=contact_ids).values_list("id", flat=True)
    ]
    keys["enquiries.enquiry"] = [
        str(pk)
        for pk in Enquiry.objects.filter(contact_id__in=contact_ids).values_list("id", flat=True)
    ]
    return {kind: ids for kind, ids in keys.items() if ids}


def _any_of(keys: dict[str, list[str]], type_field: str, id_field: str) -> Q:
    condition = Q(pk__in=[])
    for kind, ids in keys.items():
        condition |= Q(**{type_field: kind, f"{id_field}__in": ids})
    return condition


def personal_data_events(contact: Contact) -> QuerySet[Event]:
    """Every read, list read, reveal and export of this usager's data, newest first."""
    keys = data_keys_of(contact)
    in_lists = EventSubject.objects.filter(_any_of(keys, "subject_type", "subject_id")).values(
        "event_id"
    )
    return (
        Event.objects.filter(verb__in=list(PERSONAL_DATA_VERBS))
        .filter(_any_of(keys, "target_type", "target_id") | Q(pk__in=in_lists))
        .order_by("-occurred_at", "-id")
    )


def names_for(keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """How to name journal targets for people: case and enquiry references, contact names."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for kind, key in keys:
        if key.isdigit():
            wanted[kind].add(int(key))
    names: dict[tuple[str, str], str] = {}
    cases = Case.objects.filter(pk__in=wanted["cases.case"]).values_list("id", "reference")
    names.update((("cases.case", str(pk)), reference) for pk, reference in cases)
    enquiries = Enquiry.objects.filter(pk__in=wanted["enquiries.enquiry"])
    names.update(
        (("enquiries.enquiry", str(pk)), reference)
        for pk, reference in enquiries.values_list("id", "reference")
    )
    contact_ids = (
        wanted["contacts.contact"] | wanted["contacts.person"] | wanted["contacts.company"]
    )
    for contact in Contact.objects.filter(pk__in=contact_ids):
        for kind in ("contacts.contact", "contacts.person", "contacts.company"):
            names[kind, str(contact.pk)] = contact.display_name
    return names


def listed_subjects(
    events: Iterable[Event], keys: dict[str, list[str]]
) -> dict[int, list[tuple[str, str]]]:
    """For list reads: which of this usager's objects each list showed, by event."""
    list_events = [event.pk for event in events if not event.target_id.isdigit()]
    shown: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if not list_events:
        return shown
    subjects = EventSubject.objects.filter(event_id__in=list_events).filter(
        _any_of(keys, "subject_type", "subject_id")
    )
    for event_id, kind, key in subjects.values_list("event_id", "subject_type", "subject_id"):
        shown[event_id].append((kind, key))
    return shown
