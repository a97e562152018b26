"""Admin: the field schema is validated on save and freezes a new version; cases are read-only."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from levier.cases.models import ProcedureVersion
from tests.factories import AgentFactory, CaseFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(AgentFactory(administrator=True))
    return client


def change_data(procedure, schema, publish=True):
    data = {
        "organisation": procedure.organisation_id,
        "name": procedure.name,
        "slug": procedure.slug,
        "description": "",
        "reference_prefix": procedure.reference_prefix,
        "team": procedure.team_id,
        "published": "on",
        "instruction_days": "30",
        "field_schema": json.dumps(schema),
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": str(procedure.versions.count()),
        "versions-MIN_NUM_FORMS": "0",
        "versions-MAX_NUM_FORMS": "1000",
    }
    if publish:
        data["publish"] = "on"
    return data


def test_saving_a_changed_schema_freezes_a_new_version(admin_client, team):
    procedure = ProcedureFactory(team=team)
    schema = [
        *procedure.field_schema,
        {"name": "iban", "label": "IBAN", "type": "iban", "required": True},
    ]
    url = reverse("admin:cases_procedure_change", args=[procedure.pk])
    response = admin_client.post(url, change_data(procedure, schema))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert procedure.versions.count() == 2
    assert procedure.current_version.field_schema == schema
    # Saving again without change freezes nothing new.
    admin_client.post(url, change_data(procedure, schema))
    assert procedure.versions.count() == 2


def test_saving_without_publishing_keeps_the_version(admin_client, team):
    procedure = ProcedureFactory(team=team)
    schema = [{"name": "motif", "label": "Motif", "type": "text"}]
    response = admin_client.post(
        reverse("admin:cases_procedure_change", args=[procedure.pk]),
        change_data(procedure, schema, publish=False),
    )
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.field_schema == schema and procedure.versions.count() == 1


def test_a_bad_schema_is_refused_naming_the_field(admin_client, team):
    procedure = ProcedureFactory(team=team)
    schema = [{"name": "secteur", "label": "Secteur", "type": "choice"}]
    response = admin_client.post(
        reverse("admin:cases_procedure_change", args=[procedure.pk]), change_data(procedure, schema)
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["field_schema"]
    assert "secteur" in errors[0]
    assert ProcedureVersion.objects.filter(procedure=procedure).count() == 1


def test_the_publish_action(admin_client, team):
    procedure = ProcedureFactory(team=team)
    procedure.field_schema = [{"name": "motif", "label": "Motif", "type": "text"}]
    procedure.save()
    response = admin_client.post(
        reverse("admin:cases_procedure_changelist"),
        {"action": "publish_new_version", "_selected_action": [procedure.pk]},
    )
    assert response.status_code == 302
    assert procedure.current_version.number == 2


def test_admin_pages_render(admin_client, team):
    case = CaseFactory(procedure=ProcedureFactory(team=team))
    for url in (
        reverse("admin:cases_procedure_changelist"),
        reverse("admin:cases_procedure_add"),
        reverse("admin:cases_procedure_change", args=[case.procedure.pk]),
        reverse("admin:cases_case_changelist") + "?status__exact=submitted",
        reverse("admin:cases_case_change", args=[case.pk]),
    ):
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get(reverse("admin:cases_case_add")).status_code == 403
