from django import forms
from django.contrib.auth.forms import AuthenticationForm
from dsfr.forms import DsfrBaseForm


class LevierForm(DsfrBaseForm):
    """A DSFR-rendered form. Required fields carry the DSFR marker (settings.DSFR_MARK_OPTIONAL_FIELDS)."""

    def get_context(self) -> dict:
        # forms.Form's context: DsfrBaseForm's adds only a deprecation warning about that setting.
        return forms.Form.get_context(self)


class LoginForm(LevierForm, AuthenticationForm):
    pass
