"""Security headers on every kind of page (issue 10, 9)."""

import re
from pathlib import Path

import pytest

import levier
from tests.factories import AgentFactory

SRC = Path(levier.__file__).resolve().parent


def policy(response) -> dict[str, list[str]]:
    directives = [part.strip().split() for part in response["Content-Security-Policy"].split(";")]
    return {words[0]: words[1:] for words in directives if words}


def assert_locked_down(response):
    csp = policy(response)
    for directive in ("default-src", "script-src", "style-src"):
        assert csp[directive] == ["'self'"], (directive, csp[directive])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_agent_pages_are_locked_down_and_never_stored(agent_client):
    for url in ("/", "/dossiers/", "/sollicitations/"):
        response = agent_client.get(url)
        assert response.status_code == 200, url
        assert_locked_down(response)
        assert "no-store" in response["Cache-Control"], url


def test_admin_pages_are_locked_down_and_never_stored(client, db):
    client.force_login(AgentFactory(username="admin", is_staff=True, is_superuser=True))
    for url in ("/admin/", "/admin/journal/event/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_locked_down(response)
        assert "no-store" in response["Cache-Control"], url


def test_public_portal_pages_are_locked_down(client, db):
    response = client.get("/usager/")
    assert response.status_code == 200
    assert_locked_down(response)
    # Nothing personal on the portal's home page: browsers may keep it.
    assert "no-store" not in response.get("Cache-Control", "")


def test_login_page_is_locked_down(client, db):
    response = client.get("/connexion/")
    assert response.status_code == 200
    assert_locked_down(response)


def test_static_files_stay_cacheable(agent_client):
    response = agent_client.get("/static/levier/levier.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.urls("tests.deploy.framed_urls")
def test_a_response_with_its_own_framing_headers_keeps_them(agent_client):
    """The document preview sets SAMEORIGIN and its own policy: the middlewares leave them."""
    response = agent_client.get("/test-apercu/")
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'self'"


def test_https_settings_redirect_and_send_hsts(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = client.get("/usager/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
    response = client.get("/usager/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle=", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+=\s*[\"']", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)


def test_no_template_holds_what_the_policy_refuses():
    """Inline scripts, style attributes and elements, on*= handlers: all blocked by the CSP."""
    offenders = []
    for template in SRC.glob("**/templates/**/*.html"):
        text = template.read_text()
        for name, pattern in (
            ("inline script", INLINE_SCRIPT),
            ("style attribute", STYLE_ATTRIBUTE),
            ("event handler", EVENT_HANDLER),
            ("style element", STYLE_ELEMENT),
        ):
            if pattern.search(text):
                offenders.append(f"{template.relative_to(SRC)}: {name}")
    assert offenders == []


def test_a_usager_following_their_enquiry_gets_pages_never_stored(client, team):
    from levier.core import verification
    from tests.factories import EnquiryFactory, MessageFactory

    enquiry = EnquiryFactory(subject="Permis de construire")
    enquiry.verification_digest = verification.digest(enquiry.reference, "K7M2QX9P")
    enquiry.save()
    MessageFactory(enquiry=enquiry, body="Où en est mon permis ?")
    client.post(
        "/usager/suivi/", {"action": "lookup", "reference": enquiry.reference, "code": "K7M2QX9P"}
    )
    response = client.get("/usager/suivi/")
    assert "Où en est mon permis ?" in response.content.decode()
    assert_locked_down(response)
    assert "no-store" in response["Cache-Control"]
