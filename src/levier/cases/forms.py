"""Forms of the case pages (agents) and of the identity block of a submission (usagers)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from levier.contacts.identifiers import IdentifierField
from levier.contacts.models import ContactKind
from levier.core.forms import CheckedFilesField, LevierForm
from levier.core.geo import departements
from levier.core.models import Agent

from .models import AGENT_STATUS_CHOICES, CaseStatus
from .schema import DateInput

STATUS_FILTER_CHOICES = [
    ("", _("All statuses")),
    ("open", _("Open (submitted, in review, waiting)")),
    *AGENT_STATUS_CHOICES,
]
SLA_CHOICES = [
    ("", _("Any deadline")),
    ("overdue", _("Overdue")),
    ("due_soon", _("Due within 5 days")),
    ("on_time", _("On time")),
]
DECIDED_IN_TIME_CHOICES = [
    ("", _("Any")),
    ("yes", _("Decided on or before the deadline")),
    ("no", _("Decided after the deadline")),
]


class CaseFilterForm(LevierForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Name, reference, SIRET or email"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTER_CHOICES, required=False)
    procedure = forms.TypedChoiceField(
        label=_("Procedure"), coerce=int, required=False, empty_value=None
    )
    team = forms.TypedChoiceField(label=_("Team"), coerce=int, required=False, empty_value=None)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)
    submitted_from = forms.DateField(label=_("Submitted from"), required=False, widget=DateInput())
    submitted_to = forms.DateField(label=_("Submitted until"), required=False, widget=DateInput())
    sla = forms.ChoiceField(label=_("Deadline"), choices=SLA_CHOICES, required=False)
    # The dashboards' drill-downs (levier.insights.dashboards): each figure opens this list.
    decided_from = forms.DateField(label=_("Decided from"), required=False, widget=DateInput())
    decided_to = forms.DateField(label=_("Decided until"), required=False, widget=DateInput())
    decided_in_time = forms.ChoiceField(
        label=_("Instruction deadline met"), choices=DECIDED_IN_TIME_CHOICES, required=False
    )
    departement = forms.ChoiceField(
        label=_("Usager's département"), required=False, help_text=_("From the postal code")
    )

    def __init__(self, *args, procedures=(), teams=(), colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [("", _("All départements"))] + [
            (code, f"{code} – {item.name}") for code, item in departements().items()
        ]
        self.fields["procedure"].choices = [("", _("All procedures"))] + [
            (p.pk, p.name) for p in procedures
        ]
        self.fields["team"].choices = [("", _("All my teams"))] + [(t.pk, t.name) for t in teams]
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Nobody (queue)")),
        ] + [(str(a.pk), str(a)) for a in colleagues]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("The end date comes before the start date."))
        start, end = cleaned.get("decided_from"), cleaned.get("decided_to")
        if start and end and start > end:
            self.add_error("decided_to", _("The end date comes before the start date."))
        return cleaned

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for selectors.case_list_for, from the fields that are valid."""
        cleaned = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        return {
            "status": cleaned.get("status") or "",
            "procedure_id": cleaned.get("procedure"),
            "team_id": cleaned.get("team"),
            "assignee": cleaned.get("assignee") or "",
            "submitted_from": cleaned.get("submitted_from"),
            "submitted_to": cleaned.get("submitted_to"),
            "sla": cleaned.get("sla") or "",
            "q": cleaned.get("q") or "",
            "decided_from": cleaned.get("decided_from"),
            "decided_to": cleaned.get("decided_to"),
            "decided_in_time": cleaned.get("decided_in_time") or "",
            "departement": cleaned.get("departement") or "",
        }


class AssignForm(LevierForm):
    assignee = forms.TypedChoiceField(
        label=_("Assign to"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, agents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agents = {agent.pk: agent for agent in agents}
        self.fields["assignee"].choices = [("", _("Nobody (back to the queue)"))] + [
            (agent.pk, str(agent)) for agent in self.agents.values()
        ]

    def chosen_agent(self) -> Agent | None:
        pk = self.cleaned_data.get("assignee")
        return self.agents.get(pk) if pk else None


class TransitionForm(LevierForm):
    to_status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        help_text=_("Sent to the usager. Required when refusing."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [
            (status, CaseStatus(status).label) for status in allowed
        ]


class CommentForm(LevierForm):
    body = forms.CharField(
        label=_("Internal comment"),
        max_length=5000,
        help_text=_("Never shown to the usager. Write @username to notify a colleague."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# ---------------------------------------------------------------------------
# Portal: who submits
# ---------------------------------------------------------------------------


class IdentityForm(LevierForm):
    """The usager's identity: a person (names, birth date) or a company (legal name, SIRET)."""

    kind = forms.ChoiceField(
        label=_("You are submitting as"),
        choices=ContactKind.choices,
        initial=ContactKind.PERSON,
        widget=forms.RadioSelect,
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=DateInput(attrs={"autocomplete": "bday"}),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Enter a date, for example 31/12/1980.")},
    )
    legal_name = forms.CharField(
        label=_("Company name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    siret = IdentifierField(
        kind="siret",
        label=_("SIRET"),
        required=False,
        max_length=30,
        help_text=_("14 digits, on the company's Kbis or INSEE notice"),
    )
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("Your reference and verification code will be sent to this address."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Enter an email address like name@example.fr.")},
    )
    phone = IdentifierField(kind="phone", label=_("Phone"), required=False, max_length=30)

    PERSON_FIELDS = ("first_name", "last_name")
    COMPANY_FIELDS = ("legal_name", "siret")

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        required = self.PERSON_FIELDS if kind == ContactKind.PERSON else self.COMPANY_FIELDS
        if kind:
            for name in required:
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(
                        name, ValidationError(_("This field is required."), code="required")
                    )
        return cleaned

    def identity(self) -> dict[str, Any]:
        """Keyword arguments for contacts.services.contact_find_or_create."""
        cleaned = self.cleaned_data
        identity: dict[str, Any] = {
            "kind": cleaned["kind"],
            "email": cleaned["email"].strip().lower(),
            "phone": cleaned.get("phone") or "",
        }
        if cleaned["kind"] == ContactKind.PERSON:
            identity.update(
                first_name=cleaned["first_name"].strip(),
                last_name=cleaned["last_name"].strip(),
                birth_date=cleaned.get("birth_date"),
            )
        else:
            siret = cleaned["siret"]
            identity.update(legal_name=cleaned["legal_name"].strip(), siret=siret, siren=siret[:9])
        return identity


class OtherDocumentsForm(LevierForm):
    documents = CheckedFilesField(
        label=_("Other supporting documents"),
        help_text=_("PDF, JPEG or PNG; up to 5 files."),
    )
