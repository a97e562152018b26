from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from dsfr.forms import DsfrBaseForm


class UsagerSearchForm(DsfrBaseForm):
    q = forms.CharField(
        label=_("Person or company"),
        help_text=_("A name, an email address, or an identifier: NIR, SIREN, SIRET or IBAN."),
        max_length=200,
        required=False,
    )

    def clean_q(self) -> str:
        query = self.cleaned_data["q"].strip()
        if query and len(query) < 2:
            raise forms.ValidationError(
                _("Type at least two characters of the name, or a whole identifier.")
            )
        return query
