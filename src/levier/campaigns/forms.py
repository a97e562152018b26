"""The campaign form (agents)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from levier.cases.models import AGENT_STATUS_CHOICES
from levier.core.forms import LevierForm

from .services import MAX_PER_MINUTE

MERGE_HELP = _(
    "Jinja template with the documents' merge fields, rendered for each case, e.g. "
    "{{ usager.nom_complet }}, {{ dossier.reference }}, "
    "{% for piece in dossier.pieces_manquantes %}{{ piece.libelle }}{% endfor %}."
)


class CampaignForm(LevierForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    procedure = forms.ModelChoiceField(label=_("Procedure"), queryset=None)
    case_statuses = forms.MultipleChoiceField(
        label=_("Case statuses"),
        choices=AGENT_STATUS_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: cases of every status."),
    )
    only_missing_documents = forms.BooleanField(
        label=_("Only cases lacking a required supporting document"), required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=255, help_text=MERGE_HELP)
    body = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 12}), help_text=MERGE_HELP
    )
    mandatory = forms.BooleanField(
        label=_("Mandatory administrative information"),
        required=False,
        help_text=_(
            "Tick it only for information the usager must receive about their own case "
            "(e.g. a reminder of missing documents): it is sent to everyone, without an "
            "unsubscribe link. Leave it unticked for any other information (announcements, "
            "newsletters): the law then requires an unsubscribe link, added to each email "
            "and its headers, and usagers who unsubscribed are skipped."
        ),
    )
    per_minute = forms.IntegerField(
        label=_("Emails per minute"),
        min_value=1,
        max_value=MAX_PER_MINUTE,
        initial=60,
        help_text=_("Throttle: at most this many emails are queued each minute."),
    )

    def __init__(self, *args, procedures, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = procedures
