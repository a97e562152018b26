"""axe-core (through axe-playwright-python) finds no serious accessibility problem on
the main pages, at desktop and phone widths. RGAA builds on the same WCAG criteria."""

import pytest

from levier.controls.flags import flag_raise
from levier.core.verification import digest
from levier.enquiries.intake import found_entities
from levier.enquiries.models import AnswerTemplate

from ..factories import (
    PASSWORD,
    AgentFactory,
    CaseFactory,
    EnquiryFactory,
    MessageFactory,
    ProcedureFactory,
    TopicFactory,
)
from .conftest import watch_csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SERIOUS = {"serious", "critical"}


def violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_main_pages_have_no_serious_accessibility_violation(live_server, browser, team, width):
    agent = AgentFactory(username="camille", first_name="Camille", teams=[team])
    procedure = ProcedureFactory(team=team, name="Aide aux petites entreprises")
    case = CaseFactory(procedure=procedure)
    topic = TopicFactory(team=team)
    enquiry = EnquiryFactory(topic=topic, topic_source="robot", topic_confidence=0.87)
    text = (
        f"Bonjour, mon dossier {case.reference}, SIRET 732 829 320 00074, montant 1 250,00 €, "
        "IBAN FR76 3000 6000 0112 3456 7890 189."
    )
    MessageFactory(
        enquiry=enquiry,
        body=text,
        entities=found_entities(text),
        channel="email",
        quoted_text="Le 3 mars, vous avez écrit :\n> ancien message",
    )
    template = AnswerTemplate.objects.create(
        title="Accusé de réception", topic=topic, body="Bonjour {{ usager.nom }}, bien reçu."
    )
    hesitant = EnquiryFactory(topic=None, team=team, suggested_topic=topic, topic_confidence=0.54)
    MessageFactory(enquiry=hesitant)
    enquiry.verification_digest = digest(enquiry.reference, "ABCD2345")
    enquiry.save(update_fields=["verification_digest"])

    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
    page = context.new_page()
    csp_violations = watch_csp_violations(page)
    found = {}
    flag_raise(case=case, source="anomaly", code="atypical", score=0.99,
               reasons=["Loyer mensuel déclaré : 4 900 €, alors que 90 % des dossiers comparables déclarent entre 322 € et 977 €."])  # fmt: skip
    for path in [
        "/algorithmes/",
        "/usager/",
        "/usager/ecrire/",
        "/usager/demarches/",
        f"/usager/demarches/{procedure.slug}/",
        "/usager/suivi/",
        "/connexion/",
    ]:
        page.goto(live_server.url + path)
        found[path] = violations(page)

    page.goto(live_server.url + "/usager/suivi/")
    page.locator("input[name=reference]").fill(enquiry.reference)
    page.locator("input[name=code]").fill("ABCD2345")
    page.locator("main form button[type=submit]").first.click()
    found["follow (enquiry)"] = violations(page)

    page.goto(live_server.url + "/connexion/")
    page.locator("input[name=username]").fill(agent.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    for path in [
        "/",
        "/dossiers/",
        f"/dossiers/{case.pk}/",
        "/controles/",
        "/sollicitations/",
        f"/sollicitations/{enquiry.pk}/",
        f"/sollicitations/{hesitant.pk}/",
        f"/sollicitations/{enquiry.pk}/?suggestion=template:{template.pk}",
        "/notifications/",
        "/sollicitations/appel-ou-visite/",
        "/sollicitations/echeances/",
    ]:
        page.goto(live_server.url + path)
        found[path] = violations(page)
    context.close()
    assert {path: problems for path, problems in found.items() if problems} == {}
    assert csp_violations == []
