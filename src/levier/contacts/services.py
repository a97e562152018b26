"""Writes on contacts: create, find-or-create from the portal, update, merge.

Each service validates, changes the data in one transaction and writes one journal
event. Identifiers are normalised through `identifiers.py`; bad ones raise a
`ValidationError` keyed by field name, so a form can show it next to the field.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from levier.core.models import Agent
from levier.journal.services import Actor, record

from .duplicates import fold_name, folded_name
from .identifiers import VALIDATORS, company_siren
from .models import Contact, ContactKind
from .signals import contact_changed, contact_merged

# Fields a service may set, and the normaliser of those that hold an identifier.
EDITABLE_FIELDS = (
    "first_name", "last_name", "birth_date", "nir",
    "legal_name", "siren", "siret", "naf_code", "vat_number",
    "email", "phone", "iban", "address", "postal_code", "city", "commune_code",
)  # fmt: skip
_NORMALISERS = {
    "nir": VALIDATORS["nir"],
    "siren": VALIDATORS["siren"],
    "siret": VALIDATORS["siret"],
    "vat_number": VALIDATORS["vat"],
    "phone": VALIDATORS["phone"],
    "iban": VALIDATORS["iban"],
}
PERSON_ONLY = ("first_name", "last_name", "birth_date", "nir")
COMPANY_ONLY = ("legal_name", "siren", "siret", "naf_code", "vat_number")
ADDRESS = ("address", "postal_code", "city", "commune_code")


def clean_contact_data(*, kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Normalised values of `data`, or a ValidationError keyed by field name."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not contact fields: {sorted(unknown)}")
    if kind not in ContactKind.values:
        raise ValueError(f"Unknown contact kind: {kind!r}")
    foreign = COMPANY_ONLY if kind == ContactKind.PERSON else PERSON_ONLY
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[ValidationError]] = {}
    for name, value in data.items():
        if value in (None, ""):
            cleaned[name] = None if name == "birth_date" else ""
            continue
        if name in foreign:
            raise ValueError(f"A {kind} has no {name}.")
        try:
            if name in _NORMALISERS:
                value = _NORMALISERS[name](value)
            elif name == "email":
                value = value.strip().lower()
                validate_email(value)
            elif isinstance(value, str):
                value = " ".join(value.split())
        except ValidationError as error:
            errors[name] = error.error_list
            continue
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def contact_create(*, kind: str, data: Mapping[str, Any], actor: Agent | Actor) -> Contact:
    """Create a person or a company from `data` (field name -> value).

    A company's SIREN is filled from its SIRET or VAT number, which must agree with it.
    """
    contact = Contact(kind=kind, **clean_contact_data(kind=kind, data=data))
    if kind == ContactKind.COMPANY:
        contact.siren = company_siren(
            siren=contact.siren, siret=contact.siret, vat_number=contact.vat_number
        )
    with transaction.atomic():
        contact.save()
        record(actor=actor, verb="create", target=contact, payload={"kind": kind})
    return contact


def contact_find_or_create(
    *,
    kind: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    birth_date: datetime.date | None = None,
    nir: str = "",
    legal_name: str = "",
    siren: str = "",
    siret: str = "",
    vat_number: str = "",
    naf_code: str = "",
    phone: str = "",
    iban: str = "",
    address: str = "",
    postal_code: str = "",
    city: str = "",
    commune_code: str = "",
    actor: Agent | Actor,
) -> Contact:
    """The active contact these details describe, created if there is none.

    Matched, in order: on the validated identifier (SIRET, then SIREN, for a company;
    NIR for a person), then on the same email and the same name, accents and case
    aside, when no identifier contradicts it. A match is returned as it is (the
    portal never overwrites what agents know); only a creation is journaled.
    """
    data = clean_contact_data(
        kind=kind,
        data={
            "email": email, "first_name": first_name, "last_name": last_name,
            "birth_date": birth_date, "nir": nir, "legal_name": legal_name,
            "siren": siren, "siret": siret, "vat_number": vat_number,
            "naf_code": naf_code, "phone": phone, "iban": iban, "address": address,
            "postal_code": postal_code, "city": city, "commune_code": commune_code,
        },
    )  # fmt: skip
    if kind == ContactKind.COMPANY:
        data["siren"] = company_siren(
            siren=data["siren"], siret=data["siret"], vat_number=data["vat_number"]
        )
    with transaction.atomic():
        existing = _find_match(kind=kind, data=data)
        if existing is not None:
            return existing
        return contact_create(kind=kind, data=data, actor=actor)


def _find_match(*, kind: str, data: dict[str, Any]) -> Contact | None:
    if kind == ContactKind.COMPANY:
        identifier = "siret"
        name = fold_name(data["legal_name"])
        found = data["siret"] and _oldest_active(kind, Contact.objects.filter(siret=data["siret"]))
        if not found and data["siren"]:
            # Another establishment of the same company is another contact.
            found = _oldest_active(
                kind,
                Contact.objects.filter(siren=data["siren"]),
                lambda c: c.siret in ("", data["siret"]),
            )
    else:
        identifier = "nir"
        name = fold_name(f"{data['first_name']} {data['last_name']}")
        found = data["nir"] and _oldest_active(kind, Contact.objects.filter(nir=data["nir"]))
    if found or not data["email"] or not name:
        return found or None
    same_email = Contact.objects.alias(email_lower=Lower("email")).filter(email_lower=data["email"])
    return _oldest_active(
        kind,
        same_email,
        lambda c: getattr(c, identifier) in ("", data[identifier]) and folded_name(c) == name,
    )


def _oldest_active(
    kind: str, contacts: QuerySet[Contact], accept: Callable[[Contact], bool] = lambda c: True
) -> Contact | None:
    """The oldest active contact of `kind` that `accept`s, among the few rows that
    share an indexed value. The query filters on that value only, so that a planner
    without statistics does not pick the index on 'merged_into' (null for most rows)."""
    rows = sorted(contacts[:50], key=lambda contact: contact.pk)
    for contact in rows:
        if contact.kind == kind and contact.merged_into_id is None and accept(contact):
            return contact
    return None


def contact_update(*, contact: Contact, data: Mapping[str, Any], actor: Agent | Actor) -> Contact:
    """Change the fields in `data` (field name -> value); journals the changed names and
    sends `contact_changed`, so that apps holding a copy (search texts) refresh it.

    Values are not journaled: the journal would otherwise copy personal data.
    """
    if contact.merged_into_id:
        raise ValidationError(
            _("This contact was merged into another one; edit that one instead."),
            code="merged",
        )
    cleaned = clean_contact_data(kind=contact.kind, data=data)
    if contact.kind == ContactKind.COMPANY:
        identifiers = {
            f: cleaned.get(f, getattr(contact, f)) for f in ("siren", "siret", "vat_number")
        }
        cleaned["siren"] = company_siren(**identifiers)
    changed = [name for name, value in cleaned.items() if getattr(contact, name) != value]
    if not changed:
        return contact
    for name in changed:
        setattr(contact, name, cleaned[name])
    with transaction.atomic():
        contact.save(update_fields=changed)
        contact_changed.send(sender=Contact, contact=contact, fields=changed)
        record(actor=actor, verb="update", target=contact, payload={"fields": changed})
    return contact


def contact_merge(*, source: Contact, target: Contact, actor: Agent | Actor) -> Contact:
    """Merge `source` into `target`: its details fill the target's blanks, every row that
    points at it moves to the target (each owning app moves its own, on `contact_merged`),
    and it stays behind, marked as merged, for the record. One journal event, with the
    identifiers each app moved."""
    with transaction.atomic():
        # Lock both rows, then re-read them: a concurrent merge may have won. Always in id
        # order, so that merging A into B while another agent merges B into A cannot deadlock.
        rows = Contact.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
        list(rows.order_by("pk"))
        source.refresh_from_db()
        target.refresh_from_db()
        _check_mergeable(source=source, target=target)
        filled = _fill_blanks(source=source, target=target)
        if filled:
            target.save(update_fields=filled)
        # The target's new details first, so that rows moved next are searched under them.
        moved: dict[str, Any] = {}
        for _receiver, response in contact_merged.send(
            sender=Contact, source_id=source.pk, target_id=target.pk, actor=actor
        ):
            moved.update(cast("dict[str, Any] | None", response) or {})
        if filled:
            contact_changed.send(sender=Contact, contact=target, fields=filled)
        earlier = list(
            Contact.objects.filter(merged_into=source).order_by("id").values_list("id", flat=True)
        )
        Contact.objects.filter(id__in=earlier).update(merged_into=target)
        source.merged_into = target
        source.save(update_fields=["merged_into"])
        record(
            actor=actor,
            verb="merge",
            target=target,
            activity="merge-contacts",
            payload={
                "source": source.pk,
                **moved,
                "earlier_merged_contacts": earlier,
                "filled_fields": filled,
            },
        )
    return target


def _check_mergeable(*, source: Contact, target: Contact) -> None:
    if source.pk == target.pk:
        raise ValidationError(_("A contact cannot be merged into itself."), code="same")
    if source.kind != target.kind:
        raise ValidationError(
            _("A person and a company cannot be merged: choose two persons or two companies."),
            code="kind",
        )
    if source.merged_into is not None:
        raise ValidationError(
            _("%(name)s was already merged into %(other)s."),
            code="merged",
            params={"name": source.display_name, "other": source.merged_into.display_name},
        )
    if target.merged_into is not None:
        raise ValidationError(
            _("%(name)s was merged into %(other)s: merge into that one instead."),
            code="merged",
            params={"name": target.display_name, "other": target.merged_into.display_name},
        )
    if source.nir and target.nir and source.nir != target.nir:
        raise ValidationError(
            _("These persons have different social security numbers: they are two persons."),
            code="conflict",
        )
    if source.siren and target.siren and source.siren != target.siren:
        raise ValidationError(
            _("These companies have different SIRENs: they are two companies."),
            code="conflict",
        )


def _fill_blanks(*, source: Contact, target: Contact) -> list[str]:
    """Copy the source's values into the target's empty fields; the address as a whole."""
    own = PERSON_ONLY if target.kind == ContactKind.PERSON else COMPANY_ONLY
    fields = [*own, "email", "phone", "iban"]
    if not any(getattr(target, name) for name in ADDRESS):
        fields += ADDRESS
    filled = []
    for name in fields:
        value = getattr(source, name)
        if value not in (None, "") and getattr(target, name) in (None, ""):
            setattr(target, name, value)
            filled.append(name)
    return filled
