"""Shapes of the partners' API, with French examples for the OpenAPI documentation."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema
from pydantic import field_validator
from pydantic_core import PydanticCustomError

MAX_FILES = 5


class EnquiryIn(Schema):
    """The form fields of POST /enquiries (the files come in `files`)."""

    kind: Literal["person", "company"] = Field(
        "person", description=_("“person” (a citizen) or “company” (legal_name and siret then).")
    )
    subject: str = Field(
        ..., max_length=200, examples=["Rendez-vous pour un renouvellement de titre de séjour"]
    )
    message: str = Field(
        ...,
        min_length=1,
        max_length=50_000,
        examples=["Bonjour, mon titre expire le 12 juin. Quelles pièces dois-je apporter ?"],
    )
    email: str = Field(..., max_length=254, examples=["jeanne.martin@exemple.fr"])
    first_name: str = Field("", max_length=100, examples=["Jeanne"])
    last_name: str = Field(
        "", max_length=100, examples=["Martin"], description=_("Required for a person.")
    )
    legal_name: str = Field(
        "",
        max_length=200,
        examples=["Boulangerie du Parc"],
        description=_("Required for a company."),
    )
    siret: str = Field(
        "", max_length=20, examples=["73282932000074"], description=_("Required for a company.")
    )
    phone: str = Field("", max_length=30, examples=["06 12 34 56 78"])
    topic: str = Field(
        "",
        max_length=50,
        examples=["titres-de-sejour"],
        description=_("A slug from GET /topics; left out, levier classifies the enquiry."),
    )
    external_id: str = Field(
        "",
        max_length=100,
        examples=["FS-LYON3-2026-000123"],
        description=_("Your own identifier: a retry with the same one creates nothing."),
    )

    @field_validator("*")
    @classmethod
    def no_null_character(cls, value: str) -> str:
        # No database text column takes NUL (PostgreSQL refuses it): refuse it here, clearly.
        if isinstance(value, str) and "\x00" in value:
            raise PydanticCustomError("null_character", "contains a null character")
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
    created_at: datetime
    updated_at: datetime
    answer_due_at: datetime | None = None
    closed_at: datetime | None = None
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
