"""One registry of rule kinds (controls.rule_kinds): the admin, the public register and the
rules' validation read each kind's code, label and checker from it, so they cannot drift."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation

from levier.controls import rule_kinds
from levier.controls.models import Rule
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def registry_labels() -> dict[str, str]:
    return {code: str(label) for code, label in rule_kinds.KIND_CHOICES}


def admin_labels(client) -> dict[str, str]:
    page = client.get(reverse("admin:controls_rule_add")).content.decode()
    select = re.search(r'<select name="kind".*?</select>', page, flags=re.DOTALL).group(0)
    options = re.findall(r'<option value="(\w+)"[^>]*>([^<]*)</option>', select)
    return {code: html.unescape(label) for code, label in options}


def register_labels(client) -> dict[str, str]:
    data = client.get(reverse("algorithms:register"), {"format": "json"}).json()
    logic = [item for entry in data["algorithms"] for item in entry["logic"]]
    # each rule is named after its kind's code: "threshold (Label of the kind)"
    return dict(re.fullmatch(r"(\w+) \((.*)\)", item).groups() for item in logic if " (" in item)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_register_and_the_admin_show_the_registry_s_label_of_each_kind(
    client, housing, language
):
    for code in rule_kinds.KINDS:
        Rule.objects.create(procedure=housing, name=code, kind=code, parameters={})
    client.force_login(AgentFactory(administrator=True))
    client.cookies["django_language"] = language
    with translation.override(language):
        expected = registry_labels()
        assert len(expected) == 6 and all(expected.values())
        assert admin_labels(client) == expected
        assert register_labels(client) == expected


def test_each_kind_has_a_label_a_description_an_example_and_a_checker():
    from levier.controls.rule_engine import EVALUATORS

    assert set(EVALUATORS) == set(rule_kinds.KINDS)
    for code, kind in rule_kinds.KINDS.items():
        assert kind.code == code
        assert str(kind.label) and str(kind.description)
        cleaned = kind.clean(kind.example, [
            {"name": "amount_requested", "type": "money"}, {"name": "project_cost", "type": "money"},
            {"name": "housing_type", "type": "choice", "choices": ["Location dans le parc privé"]},
            {"name": "company_created_on", "type": "date"}, {"name": "iban", "type": "iban"},
        ])  # fmt: skip
        assert isinstance(cleaned, dict)
