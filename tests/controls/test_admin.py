"""Admin of controls: configuration checked against the procedure's schema; no protected variable."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from levier.controls.models import AnomalyModel, Rule
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(AgentFactory(administrator=True))
    return client


def model_data(procedure, **changes):
    data = {
        "procedure": procedure.pk, "inputs": json.dumps(["monthly_rent"]), "ratios": "[]",
        "peer_group": json.dumps(["household_size"]), "thresholds": "{}", "contamination": "0.02",
        "random_sample_rate": "0.01", "active": "on",
    }  # fmt: skip
    return {**data, **changes}


def test_a_model_reading_a_protected_variable_is_refused_with_the_reason(admin_client, housing):
    housing.field_schema = [*housing.field_schema,
                            {"name": "birth_date", "label": "Date de naissance", "type": "date"}]  # fmt: skip
    housing.save()
    housing.versions.update(field_schema=housing.field_schema)
    url = reverse("admin:controls_anomalymodel_add")
    page = admin_client.post(
        url, model_data(housing, inputs=json.dumps(["monthly_rent", "birth_date"]))
    )
    assert page.status_code == 200 and not AnomalyModel.objects.exists()
    assert "birth_date" in page.content.decode() or "naissance" in page.content.decode()
    page = admin_client.post(url, model_data(housing, inputs=json.dumps(["no_such_field"])))
    assert page.status_code == 200 and "no_such_field" in page.content.decode()
    assert admin_client.post(url, model_data(housing)).status_code == 302
    assert AnomalyModel.objects.get().inputs == ["monthly_rent"]


def test_rule_parameters_are_checked_against_the_schema(admin_client, housing):
    url = reverse("admin:controls_rule_add")
    data = {"procedure": housing.pk, "name": "Plafond", "kind": "threshold", "active": "on",
            "parameters": json.dumps({"field": "landlord", "operator": "<=", "value": "1"})}  # fmt: skip
    page = admin_client.post(url, data)
    assert page.status_code == 200 and not Rule.objects.exists()
    data["parameters"] = json.dumps({"field": "monthly_rent", "operator": "<=", "value": "3000"})
    assert admin_client.post(url, data).status_code == 302
    assert Rule.objects.get().parameters["value"] == "3000.00"


def test_flags_and_checks_are_read_only_in_the_admin(admin_client):
    assert admin_client.get(reverse("admin:controls_flag_add")).status_code == 403
    assert admin_client.get(reverse("admin:controls_flag_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:controls_documentcheck_changelist")).status_code == 200
