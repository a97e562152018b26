from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Mailbox


class MailboxForm(forms.ModelForm):
    # Never sent back to the browser; left empty on a change, the stored password stays.
    password = forms.CharField(
        label=gettext_lazy("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("Leave empty to keep the current password."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "is_active",
            "host",
            "port",
            "security",
            "username",
            "password",
            "folder",
            "processed_folder",
        ]

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password") or ""
        if password:
            return password
        if self.instance.pk:
            return self.instance.password
        raise ValidationError(_("Enter the password of the mailbox's account."))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".eml,message/rfc822"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class EmlUploadForm(forms.Form):
    files = MultipleFileField(
        label=gettext_lazy("Messages (.eml files)"),
        help_text=gettext_lazy(
            "Messages saved from a mail client (“Save as…” .eml). Several files can be chosen at once."
        ),
    )

    def clean_files(self) -> list:
        files = self.cleaned_data["files"]
        limit = settings.LEVIER_MAIL_MAX_BYTES
        for uploaded in files:
            if uploaded.size > limit:
                raise ValidationError(
                    _(
                        "“%(name)s” is %(size)s; the limit is %(limit)s. Handle this message directly in the mail client."
                    )
                    % {
                        "name": uploaded.name,
                        "size": filesizeformat(uploaded.size),
                        "limit": filesizeformat(limit),
                    }
                )
        return files
