import os
import pytest
from django.urls import reverse
from tests.factories import AgentFactory, CaseFactory, ContactFactory, ProcedureFactory, PASSWORD
from .conftest import FULL_SCHEMA, make_pdf, make_png
from .test_views import add_document

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.django_db(transaction=True)
def test_screens(live_server, team):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright
    agent = AgentFactory(username="camille", teams=[team])
    procedure = ProcedureFactory(team=team, field_schema=FULL_SCHEMA, slug="vitrine", name="Aide à la vitrine")
    case = CaseFactory(procedure=procedure, in_review=True, contact=ContactFactory(company=True),
        data={"project": "Vitrine", "amount": "1234.56", "start_date": "2026-03-01", "sector": "artisanat",
              "site": {"street": "1 rue X", "postal_code": "69001", "city": "Lyon"}})
    add_document(case, "devis.pdf", make_pdf(2), "application/pdf", field_name="quote", pages=2)
    add_document(case, "local.png", make_png((300, 200)), "image/png", field_name="photo")
    for _ in range(3):
        CaseFactory(procedure=procedure)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for width in (375, 1280):
            ctx = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
            page = ctx.new_page()
            page.goto(live_server.url + reverse("core:login"))
            page.fill("input[name=username]", "camille")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            for name, url in [("list", reverse("cases:list")), ("detail", reverse("cases:detail", args=[case.pk])),
                              ("portal", reverse("portal:case_new", args=["vitrine"]))]:
                page.goto(live_server.url + url)
                page.wait_for_timeout(500)
                page.screenshot(path=f"/tmp/levier_fix/{name}-{width}.png", full_page=True)
                sw = page.evaluate("document.documentElement.scrollWidth")
                print(name, width, sw)
            ctx.close()
        browser.close()
