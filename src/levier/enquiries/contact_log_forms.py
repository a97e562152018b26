"""The one form that logs a call or a visit: channel, usager (found or new), what was said."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.widgets import InlineRadioSelect

from levier.contacts.identifiers import IdentifierField, compact
from levier.contacts.models import Contact, ContactKind
from levier.core.forms import LevierForm

from .models import Channel
from .selectors import topics_for

NEW_CONTACT = "new"
NEW_PERSON_FIELDS = ("first_name", "last_name", "email", "phone")


def contact_label(contact: Contact) -> str:
    """What tells two homonyms apart at a glance: email, phone, SIRET, city."""
    phone = " ".join(contact.phone[i : i + 2] for i in range(0, len(contact.phone), 2))
    siret = contact.siret if contact.kind == ContactKind.COMPANY else ""
    details = [contact.email, phone, siret and f"SIRET {siret}", contact.city]
    return " · ".join([contact.display_name or "—", *[d for d in details if d]])


def new_person_prefill(query: str) -> dict[str, str]:
    """A searched email or phone number that found nobody starts the new person's card."""
    query = query.strip()
    if "@" in query:
        return {"email": query}
    digits = compact(query).lstrip("+")
    return {"phone": query} if digits.isdigit() and len(digits) >= 9 else {}


class LogContactForm(LevierForm):
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(Channel.PHONE, _("Phone call")), (Channel.COUNTER, _("Visit at the counter"))],
        initial=Channel.PHONE,
        widget=InlineRadioSelect,
    )
    q = forms.CharField(
        label=_("Find the usager"),
        help_text=_("Email, phone number, SIRET or name"),
        required=False,
    )
    contact = forms.ChoiceField(label=_("Who is it?"), widget=forms.RadioSelect)
    first_name = forms.CharField(
        label=_("First name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_("To answer in writing later. Format: name@example.fr"),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = IdentifierField(
        kind="phone",
        label=_("Phone"),
        required=False,
        max_length=20,
        help_text=_("Format: 06 12 34 56 78 or +33 6 12 34 56 78"),
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=None, required=False, empty_label=_("No topic")
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=10000,
        help_text=_("What the usager asked and what you answered."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    answered = forms.BooleanField(
        label=_("Answered on the spot"),
        help_text=_(
            "Untick it if the usager is waiting for an answer: the enquiry stays open and assigned to you."
        ),
        required=False,
        initial=True,
    )

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        agent,
        matches: Sequence[Contact],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        self.matches = {str(contact.pk): contact for contact in matches}
        self.fields["contact"].choices = [
            *[(pk, contact_label(contact)) for pk, contact in self.matches.items()],
            (NEW_CONTACT, _("Someone else: a new person, described below")),
        ]
        if not matches:
            self.fields["contact"].initial = NEW_CONTACT
        self.fields["topic"].queryset = topics_for(agent)
        messages = {
            ("channel", "required"): _("Choose “Phone call” or “Visit at the counter”."),
            ("contact", "required"): _(
                "Choose the usager among the results, or “Someone else” to describe a new person."
            ),
            ("contact", "invalid_choice"): _(
                "This usager is no longer among the results of the search: search again and "
                "choose them."
            ),
            ("topic", "invalid_choice"): _("Choose one of your teams' topics from the list."),
            ("email", "invalid"): _("Enter a valid email address, e.g. name@example.fr."),
            ("subject", "required"): _("Give the enquiry a subject, in a few words."),
            ("summary", "required"): _("Sum up the exchange: what was asked, what you answered."),
        }
        for (name, code), message in messages.items():
            self.fields[name].error_messages[code] = message

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("contact") == NEW_CONTACT:
            for name, message in (
                ("first_name", _("Enter the usager's first name.")),
                ("last_name", _("Enter the usager's last name.")),
            ):
                if name in cleaned and not cleaned[name].strip():
                    self.add_error(name, message)
        return cleaned

    @property
    def chosen_contact(self) -> Contact | None:
        """The contact picked among the matches; None for a new person."""
        return self.matches.get(self.cleaned_data["contact"])

    def new_person(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in NEW_PERSON_FIELDS}
