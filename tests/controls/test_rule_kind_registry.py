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
from levier.controls.rule_kinds import validate_parameters
from tests.controls.test_rule_kinds import SCHEMA
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
    rules = [entry for entry in data["algorithms"] if entry["slug"].startswith("rules-")]
    # each rule is named after its kind's code: "threshold (Label of the kind)"
    return dict(re.fullmatch(r"(\w+) \((.*)\)", item).groups() for item in rules[0]["logic"])


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
        page = html.unescape(client.get(reverse("admin:controls_rule_add")).content.decode())
        for code, kind in rule_kinds.KINDS.items():  # the help text describes every kind
            assert str(kind.description) in page and rule_kinds.example_json(code) in page


def test_each_kind_has_a_label_a_description_an_example_and_a_checker():
    from levier.controls.rule_engine import EVALUATORS

    assert set(EVALUATORS) == set(rule_kinds.KINDS)
    for code, kind in rule_kinds.KINDS.items():
        assert kind.code == code
        assert str(kind.label) and str(kind.description)
        assert kind.clean(kind.example, SCHEMA) == validate_parameters(code, kind.example, SCHEMA)
