"""Screenshots of the main pages at desktop and phone widths, for a human to look at.

Seeds a throw-away SQLite database, starts `levier serve`, and writes PNGs into
screenshots/. Usage: .venv/bin/python scripts/screenshots.py
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "screenshots"
PORT = os.environ.get("SCREENSHOT_PORT", "8765")
BASE = f"http://127.0.0.1:{PORT}"
BIN = Path(sys.executable).parent
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
def main() -> None:
    OUT.mkdir(exist_ok=True)
    var = tempfile.mkdtemp(prefix="levier-shots-")
    env = {
        **os.environ,
        "LEVIER_VAR_DIR": var,
        "LEVIER_DEMO": "1",  # a throw-away demo: its public secret key is accepted
        "LEVIER_EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
    }
    env.pop("DATABASE_URL", None)

    def run(*args: str) -> None:
        subprocess.run([str(BIN / "levier"), *args], env=env, check=True, stdout=subprocess.DEVNULL)

    run("migrate", "--noinput")
    # The seed also trains the classifier and lets today's messages in through intake.
    run("seed", "--cases", "300", "--enquiries", "100")
    server = subprocess.Popen(
        [str(BIN / "levier"), "serve", "--port", PORT, "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                urllib.request.urlopen(f"{BASE}/usager/")
                break
            except OSError:
                time.sleep(0.2)
        shoot()
    finally:
        server.terminate()
        shutil.rmtree(var, ignore_errors=True)


def shoot() -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=ARGS
        )
        for label, (width, height) in WIDTHS.items():
            context = browser.new_context(
                locale="fr-FR", viewport={"width": width, "height": height}
            )
            page = context.new_page()
            for name, path in [
                ("portal-home", "/usager/"),
                ("portal-procedures", "/usager/demarches/"),
                ("portal-enquiry", "/usager/ecrire/"),
                ("portal-follow", "/usager/suivi/"),
                ("algorithm-register", "/algorithmes/"),
                ("login", "/connexion/"),
            ]:
                page.goto(BASE + path)
                page.screenshot(path=OUT / f"{name}-{label}.png", full_page=True)
            page.goto(BASE + "/usager/demarches/")
            links = page.locator("main a[href^='/usager/demarches/']")
            if links.count():
                links.first.click()
                page.screenshot(path=OUT / f"portal-case-form-{label}.png", full_page=True)
            page.goto(BASE + "/connexion/")
            page.fill("input[name=username]", "cheffe.equipe")
            page.fill("input[name=password]", "levier-demo-2026")
            page.click("main button[type=submit]")
            page.screenshot(path=OUT / f"home-{label}.png", full_page=True)
            page.goto(BASE + "/dossiers/?status=open&assignee=none")
            page.screenshot(path=OUT / f"queue-{label}.png", full_page=True)
            page.locator("main table a").first.click()
            page.screenshot(path=OUT / f"case-{label}.png", full_page=True)
            generate = page.locator("form[action*='/documents/generer/'] button[type=submit]")
            if generate.count():
                generate.first.click()
                page.screenshot(path=OUT / f"case-generated-{label}.png", full_page=True)
            page.goto(BASE + "/sollicitations/?status=open")
            page.screenshot(path=OUT / f"enquiries-{label}.png", full_page=True)
            # The newest enquiries are today's, triaged by intake; the third has entities.
            page.locator("main table a").nth(2).click()
            page.screenshot(path=OUT / f"enquiry-{label}.png", full_page=True)
            use = page.locator("main a[href^='?suggestion=']")
            if use.count():
                use.first.click()
                page.screenshot(path=OUT / f"enquiry-suggestion-{label}.png", full_page=True)
            for name, path in [
                ("deadlines", "/sollicitations/echeances/"),
                ("log-contact", "/sollicitations/appel-ou-visite/"),
                ("campaigns", "/campagnes/"),
                ("controls", "/controles/"),
            ]:
                page.goto(BASE + path)
                page.screenshot(path=OUT / f"{name}-{label}.png", full_page=True)
            # The first proposal: a case page scrolled to its controls.
            proposal = page.locator("main ul a[href*='#flag-']")
            if proposal.count():
                proposal.first.click()
                page.screenshot(path=OUT / f"case-controls-{label}.png", full_page=True)
            context.close()
        browser.close()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
