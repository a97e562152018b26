from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from dsfr.forms import DsfrBaseForm

from .uploads import EXTENSION_TYPES, check_upload


class LevierForm(DsfrBaseForm):
    """A DSFR-rendered form. Required fields carry the DSFR marker (settings.DSFR_MARK_OPTIONAL_FIELDS)."""

    def get_context(self) -> dict:
        # forms.Form's context: DsfrBaseForm's adds only a deprecation warning about that setting.
        return forms.Form.get_context(self)


class LoginForm(LevierForm, AuthenticationForm):
    pass


MAX_FILES = 5


def _files_help_text(max_files: int) -> str:
    return gettext(
        "Up to %(count)s files: PDF, JPEG, PNG, text, ODT or DOCX, %(size)s at most each."
    ) % {"count": max_files, "size": filesizeformat(settings.LEVIER_UPLOAD_MAX_BYTES)}


# Evaluated when the form is shown: in the reader's language, with the current limit.
_files_help = lazy(_files_help_text, str)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class CheckedFilesField(forms.FileField):
    """Several uploaded files, each checked by core.uploads.check_upload.

    Cleans to a list of CheckedFile; every refused file gets its own message naming it.
    """

    widget = MultipleFileInput

    def __init__(self, *, max_files: int = MAX_FILES, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _files_help(max_files))
        super().__init__(**kwargs)
        accept = ",".join(sorted(EXTENSION_TYPES))
        self.widget.attrs.update({"class": "fr-upload", "multiple": True, "accept": accept})
        self.widget.group_class = "fr-upload-group"

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            files = [item for item in data if item]
        else:
            files = [data] if data else []
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(files) > self.max_files:
            raise ValidationError(
                _(
                    "You sent %(sent)s files; the limit is %(count)s. "
                    "Group pages in one PDF and send again."
                )
                % {"sent": len(files), "count": self.max_files},
                code="too_many_files",
            )
        checked, errors = [], []
        for uploaded in files:
            try:
                checked.append(check_upload(uploaded))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            errors.append(_("Files are not kept when the form has errors: choose them again."))
            raise ValidationError(errors, code="invalid_file")
        return checked
