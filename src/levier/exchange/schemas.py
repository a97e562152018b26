"""Shapes of the partners' API, with French examples for the OpenAPI documentation."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from pydantic import PlainSerializer, WithJsonSchema, field_validator
from pydantic_core import PydanticCustomError

MAX_FILES = 5

# What text fields may hold, as JSON Schema patterns (ECMA-262 and Python alike): no C0 or
# C1 control character nor DEL; one-line fields no line break, tab or line separator
# either, the message keeps tabs and line breaks. The validator below applies the same.
ONE_LINE = r"^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$"
MULTI_LINE = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
NOT_BLANK = r"\S"
# 14 digits, with the separators people type (spaces, no-break spaces, dots, dashes).
SIRET = r"^[ .\-\u00a0\u2009\u202f]*(?:[0-9][ .\-\u00a0\u2009\u202f]*){14}$"
MULTI_LINE_FIELDS = {"message"}

# The person/company rule of POST /enquiries, which the form's flat fields cannot say:
# added to the form's schema in the OpenAPI description (see api.create_enquiry).
PERSON_OR_COMPANY = {
    "allOf": [
        {
            "properties": {
                name: {"pattern": NOT_BLANK} for name in ("subject", "message", "email")
            },
        }
    ],
    "oneOf": [
        {
            "title": "person",
            "description": _(
                "kind=person (or left out): last_name is required; legal_name and siret must "
                "be left out."
            ),
            "properties": {
                "kind": {"const": "person"},
                "last_name": {"pattern": NOT_BLANK},
                "legal_name": {"maxLength": 0},
                "siret": {"maxLength": 0},
            },
            "required": ["last_name"],
        },
        {
            "title": "company",
            "description": _(
                "kind=company: legal_name and siret are required (the SIRET’s check digit is "
                "verified too); first_name and last_name are ignored."
            ),
            "properties": {
                "kind": {"const": "company"},
                "legal_name": {"pattern": NOT_BLANK},
                "siret": {"pattern": SIRET},
            },
            "required": ["kind", "legal_name", "siret"],
        },
    ],
}


def _paris_time(value: datetime) -> str:
    """An aware datetime in levier's time zone (Europe/Paris), with its offset."""
    return timezone.localtime(value, timezone.get_default_timezone()).isoformat()


# Dates as docs/api.md shows them and French partners read them: 2026-05-04T09:12:31+02:00.
ParisDateTime = Annotated[
    datetime,
    PlainSerializer(_paris_time, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": _(
                "ISO 8601, Paris time with its offset (+01:00 in winter, +02:00 in summer)."
            ),
            "examples": ["2026-05-04T09:12:31.120000+02:00"],
        }
    ),
]


def _text(default: str, *, max_length: int, one_line: bool = True, **kwargs):
    """A text form field whose schema states the characters it may hold."""
    pattern = ONE_LINE if one_line else MULTI_LINE
    return Field(default, max_length=max_length, json_schema_extra={"pattern": pattern}, **kwargs)


class EnquiryIn(Schema):
    """The form fields of POST /enquiries (the files come in `files`)."""

    kind: Literal["person", "company"] = Field(
        "person", description=_("“person” (a citizen) or “company” (legal_name and siret then).")
    )
    subject: str = _text(
        ..., max_length=200, examples=["Rendez-vous pour un renouvellement de titre de séjour"]
    )
    message: str = _text(
        ...,
        one_line=False,
        min_length=1,
        max_length=50_000,
        examples=["Bonjour, mon titre expire le 12 juin. Quelles pièces dois-je apporter ?"],
    )
    email: str = _text(..., max_length=254, examples=["jeanne.martin@exemple.fr"])
    first_name: str = _text("", max_length=100, examples=["Jeanne"])
    last_name: str = _text(
        "", max_length=100, examples=["Martin"], description=_("Required for a person.")
    )
    legal_name: str = _text(
        "",
        max_length=200,
        examples=["Boulangerie du Parc"],
        description=_("Required for a company."),
    )
    siret: str = _text(
        "",
        max_length=20,
        examples=["73282932000074"],
        description=_("Required for a company: 14 digits, spaces accepted, check digit verified."),
    )
    phone: str = _text(
        "",
        max_length=30,
        examples=["06 12 34 56 78"],
        description=_("Checked: a French or international number."),
    )
    topic: str = _text(
        "",
        max_length=50,
        examples=["titres-de-sejour"],
        description=_("A slug from GET /topics; left out, levier classifies the enquiry."),
    )
    external_id: str = _text(
        "",
        max_length=100,
        examples=["FS-LYON3-2026-000123"],
        description=_("Your own identifier: a retry with the same one creates nothing."),
    )

    @field_validator("*")
    @classmethod
    def no_control_character(cls, value: str, info) -> str:
        if not isinstance(value, str):
            return value
        # No database text column takes NUL (PostgreSQL refuses it): refuse it here, clearly.
        if "\x00" in value:
            raise PydanticCustomError("null_character", "contains a null character")
        # Control characters hide text, forge headers or terminal sequences in what agents
        # read and what levier sends on (an email's subject): refused, as the schema says.
        if info.field_name in MULTI_LINE_FIELDS:
            if not re.fullmatch(MULTI_LINE, value):
                raise PydanticCustomError("control_character", "contains a control character")
        elif not re.fullmatch(ONE_LINE, value):
            raise PydanticCustomError("line_break", "contains a line break or control character")
        return value


class EnquiryCreated(Schema):
    reference: str = Field(..., examples=["SOL-2026-000042"])
    status: str = Field(..., examples=["new"])
    topic: str | None = Field(None, examples=["titres-de-sejour"])
    team: str = Field(..., examples=["Accueil des étrangers"])
    created: bool = Field(
        ...,
        description=_(
            "True when a new enquiry was opened; false when the message joined an open "
            "enquiry of the same usager, or for a repeated external_id."
        ),
    )
    outcome: Literal["created", "threaded", "grouped", "repeated"] = Field(
        ..., examples=["created"]
    )


class EnquiryState(Schema):
    reference: str = Field(..., examples=["SOL-2026-000042"])
    status: str = Field(..., examples=["open"])
    status_label: str = Field(..., examples=["Ouverte"])
    topic: str | None = Field(None, examples=["titres-de-sejour"])
    team: str = Field(..., examples=["Accueil des étrangers"])
    created_at: ParisDateTime
    updated_at: ParisDateTime
    answer_due_at: ParisDateTime | None = None
    closed_at: ParisDateTime | None = None
    messages: int = Field(..., examples=[2])


class TopicOut(Schema):
    slug: str = Field(..., examples=["titres-de-sejour"])
    label: str = Field(..., examples=["Titres de séjour"])


class Problem(Schema):
    field: str | None = Field(None, examples=["siret"])
    message: str = Field(
        ...,
        examples=[
            "Ce SIRET n’existe pas : le chiffre de contrôle est erroné. Vérifiez qu’il n’y a pas d’erreur de saisie."
        ],
    )


class Problems(Schema):
    detail: list[Problem]
