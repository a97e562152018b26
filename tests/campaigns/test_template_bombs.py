"""Campaign texts, written by team leads, get the same bounds as administrators' templates:
loading tags refused at creation, and a text that would hang or exhaust a worker is
stopped with a clear error on the preview and in the run (issue 10, item 11)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from levier.campaigns import services

from ..documents.test_template_bombs import EXPLANATIONS, LOADING_TAGS, RENDER_BOMBS
from .helpers import make_campaign, waiting_cases

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("tag", sorted(LOADING_TAGS))
def test_a_campaign_that_loads_a_template_is_refused_naming_the_tag(lead, procedure, tag):
    with pytest.raises(ValidationError) as error:
        make_campaign(lead, procedure, body=f"Bonjour,\n{LOADING_TAGS[tag]}")
    message = " ".join(error.value.message_dict["body"])
    assert f"{{% {tag} %}}" in message and "ligne 2" in message


@pytest.mark.parametrize("bomb", ["range", "repeated string", "loops without output"])
def test_a_campaign_bomb_is_stopped_on_the_preview(lead, procedure, settings, bomb):
    settings.LEVIER_TEMPLATE_RENDER_SECONDS = 3
    waiting_cases(procedure, 1)
    campaign = make_campaign(lead, procedure, body=RENDER_BOMBS[bomb])

    rendered = services.campaign_preview(campaign).emails[0]

    assert rendered.error.startswith("Erreur dans le gabarit")
    # Stopped by a bound, which the error names (no time asserted: see documents').
    assert any(word in rendered.error for word in EXPLANATIONS[bomb]), rendered.error
    assert rendered.body == ""


def test_an_ordinary_campaign_renders_as_before(lead, procedure):
    cases = waiting_cases(procedure, 1)
    campaign = make_campaign(lead, procedure)
    rendered = services.campaign_preview(campaign).emails[0]
    assert rendered.error == ""
    assert rendered.subject == f"Dossier {cases[0].reference} : pièces manquantes"
