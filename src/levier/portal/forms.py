"""Usagers' forms: write to the administration, follow a request, add a message."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from levier.core.forms import CheckedFilesField, LevierForm
from levier.enquiries.selectors import portal_topics

PHONE_SEPARATORS = re.compile(r"[\s.\-()/]")
PHONE_PATTERN = re.compile(r"\+?\d{10,15}")
REFERENCE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9-]{3,29}")


class EnquiryForm(LevierForm):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_(
            "We send the reference of your enquiry and your follow-up code to this address. "
            "Format: name@example.fr"
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=20,
        help_text=_("If you wish to be called back. Format: 06 12 34 56 78 or +33 6 12 34 56 78"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=None,
        empty_label=_("Choose the topic of your enquiry"),
        help_text=_("It sends your message straight to the right department."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    message = forms.CharField(
        label=_("Your message"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Do not write bank details or passwords here."),
    )
    attachments = CheckedFilesField(label=_("Attachments"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = portal_topics()
        self.fields["topic"].error_messages["invalid_choice"] = _("Choose a topic from the list.")
        self.fields["topic"].error_messages["required"] = _("Choose a topic from the list.")
        self.fields["first_name"].error_messages["required"] = _("Enter your first name.")
        self.fields["last_name"].error_messages["required"] = _("Enter your last name.")
        self.fields["email"].error_messages["required"] = _(
            "Enter your email address, e.g. name@example.fr."
        )
        self.fields["email"].error_messages["invalid"] = _(
            "Enter a valid email address, e.g. name@example.fr."
        )
        self.fields["subject"].error_messages["required"] = _(
            "Give your enquiry a subject, in a few words."
        )
        self.fields["message"].error_messages["required"] = _("Write your message.")

    def _required_text(self, name: str, message: str) -> str:
        value = " ".join(self.cleaned_data[name].split())
        if not value:
            raise ValidationError(message)
        return value

    def clean_first_name(self) -> str:
        return self._required_text("first_name", _("Enter your first name."))

    def clean_last_name(self) -> str:
        return self._required_text("last_name", _("Enter your last name."))

    def clean_subject(self) -> str:
        return self._required_text("subject", _("Give your enquiry a subject, in a few words."))

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise ValidationError(_("Write your message."))
        return message

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        compact = PHONE_SEPARATORS.sub("", raw)
        if not PHONE_PATTERN.fullmatch(compact):
            raise ValidationError(
                _(
                    "Enter a phone number of 10 digits, e.g. 06 12 34 56 78, "
                    "or an international number starting with +, e.g. +33 6 12 34 56 78."
                )
            )
        return compact


class FollowForm(LevierForm):
    reference = forms.CharField(
        label=_("Reference"),
        max_length=30,
        help_text=_("Given when you wrote or submitted your request, e.g. SOL-2026-000123."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    code = forms.CharField(
        label=_("Follow-up code"),
        max_length=20,
        help_text=_("The 8-character code received by email with the reference."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reference"].error_messages["required"] = _(
            "Enter the reference of your request."
        )
        self.fields["code"].error_messages["required"] = _(
            "Enter the follow-up code received by email."
        )

    def clean_reference(self) -> str:
        reference = "".join(self.cleaned_data["reference"].split()).upper()
        if not REFERENCE_PATTERN.fullmatch(reference):
            raise ValidationError(
                _(
                    "A reference contains only letters, digits and dashes, e.g. SOL-2026-000123. "
                    "Copy it from the email you received."
                )
            )
        return reference

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).upper()


class UsagerMessageForm(LevierForm):
    message = forms.CharField(
        label=_("Your message"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Do not write bank details or passwords here."),
    )
    attachments = CheckedFilesField(label=_("Attachments"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["message"].error_messages["required"] = _("Write your message.")

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise ValidationError(_("Write your message."))
        return message
