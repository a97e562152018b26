"""Emails from templates: typography, rendering, validation, sending, status emails, case page."""

from __future__ import annotations

import email as email_lib
import email.policy

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.provisional import urls

from levier.cases import services as case_services
from levier.cases.models import CaseStatus
from levier.documents import services
from levier.documents.emails import (
    NARROW_NBSP,
    french_typography,
    render_email,
    validate_email_template,
)
from levier.documents.models import EmailTemplate, GeneratedDocument
from levier.journal.models import Event
from levier.mailing.models import OutboundEmail, OutboundStatus
from tests.factories import CaseFactory, ContactFactory

N = NARROW_NBSP

# --- typography ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Objet : dossier", f"Objet{N}: dossier"),
        ("Bonne nouvelle !", f"Bonne nouvelle{N}!"),
        ("Vraiment?", f"Vraiment{N}?"),
        ("un ; deux", f"un{N}; deux"),
        ("« Aide aux entreprises »", f"«{N}Aide aux entreprises{N}»"),
        ("l'attestation d'acceptation", "l’attestation d’acceptation"),
        ("à 10:30 précises", "à 10:30 précises"),
        ("voir https://exemple.fr/a?b=1:2 !", f"voir https://exemple.fr/a?b=1:2{N}!"),
        ("écrivez à jean!l'x@exemple.fr ?", f"écrivez à jean!l'x@exemple.fr{N}?"),
        ('<a href="https://x.fr/?a=1" title="l\'aide : oui">Aide : oui</a>',
         f'<a href="https://x.fr/?a=1" title="l\'aide : oui">Aide{N}: oui</a>'),
        ("l&#x27;usager &amp; vous : oui", f"l’usager &amp; vous{N}: oui"),
        ("Quoi ?!", f"Quoi{N}?!"),
    ],
)  # fmt: skip
def test_french_typography(raw, expected):
    assert french_typography(raw) == expected


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)
WORDS = st.text(alphabet=" «»:;!?'’abcé\n.,", max_size=30)


@given(prefix=WORDS, url=urls(), suffix=WORDS)
def test_typography_never_changes_a_url(prefix, url, suffix):
    assert url in french_typography(f"{prefix} {url} {suffix}")


@given(prefix=WORDS, address=st.emails(), suffix=WORDS)
def test_typography_never_changes_an_email_address(prefix, address, suffix):
    assert address in french_typography(f"{prefix} {address} {suffix}")


@given(text=TEXT | WORDS)
def test_typography_is_idempotent(text):
    once = french_typography(text)
    assert french_typography(once) == once


# --- rendering and validation ------------------------------------------------------------

pytestmark = pytest.mark.django_db


def make_template(procedure, **fields) -> EmailTemplate:
    values = {
        "name": "Dossier accepté",
        "procedure": procedure,
        "status": "",
        "subject": "Dossier {{ dossier.reference }} : accepté",
        "body_text": "Bonjour {{ usager.prenom }},\n\nVotre demande « {{ dossier.demarche }} » "
        "est acceptée ! Montant : {{ dossier.montant_demande }}.\n\nL'équipe {{ equipe.nom }}",
    }
    values.update(fields)
    return EmailTemplate.objects.create(**values)


def test_render_email_fills_the_fields_with_french_typography(case, procedure):
    rendered = render_email(make_template(procedure), case=case)
    assert rendered.subject == f"Dossier APE-2026-000123{N}: accepté"
    assert f"«{N}Aide aux petites entreprises{N}»" in rendered.text
    assert f"acceptée{N}!" in rendered.text and "L’équipe" in rendered.text
    assert f"1{N}234,56{N}€" in rendered.text or "234,56" in rendered.text
    # The HTML version is the text, escaped, in paragraphs.
    assert "<p>Bonjour Élodie,</p>" in rendered.html and '<html lang="fr">' in rendered.html


def test_the_text_version_is_not_html_escaped(case, procedure):
    case.data["objet"] = "Four & <pétrin>"
    case.save()
    template = make_template(procedure, body_text="{{ dossier.objet }}",
                             body_html="<p>{{ dossier.objet }}</p>")  # fmt: skip
    rendered = render_email(template, case=case)
    assert rendered.text == "Four & <pétrin>"
    assert "<p>Four &amp; &lt;pétrin&gt;</p>" in rendered.html


def test_validation_names_the_syntax_error_line(procedure):
    with pytest.raises(ValidationError) as caught:
        validate_email_template(subject="ok", body_text="Bonjour\n\n{% if %}", procedure=procedure)
    assert "body_text" in caught.value.message_dict
    error = caught.value.error_dict["body_text"][0]
    assert error.code == "syntax" and error.params["line"] == 3
    assert "3" in caught.value.message_dict["body_text"][0]


def test_validation_names_the_unknown_field(procedure):
    with pytest.raises(ValidationError) as caught:
        validate_email_template(subject="{{ dossier.inconnu }}", body_text="x", procedure=procedure)
    message = caught.value.message_dict["subject"][0]
    assert "dossier.inconnu" in message and "dossier.montant_demande" in message


def test_validation_accepts_the_reason_and_returns_the_fields(procedure):
    fields = validate_email_template(
        subject="{{ dossier.reference }}", body_text="{{ dossier.motif }}", procedure=procedure
    )
    assert fields == ["dossier.motif", "dossier.reference"]


# --- sending -----------------------------------------------------------------------------


def test_send_queues_the_email_about_the_case_and_journals(case, procedure, agent,
                                                           django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        email = services.email_send_for_case(case=case, template=make_template(procedure),
                                             actor=agent)  # fmt: skip
    email.refresh_from_db()
    assert email.to == case.contact.email and email.contact == case.contact
    assert (email.about_type, email.about_id) == ("cases.case", str(case.pk))
    assert email.status == OutboundStatus.SENT and len(mail.outbox) == 1
    event = Event.objects.get(verb="queue-email", target_id=str(case.pk))
    assert event.payload["email"] == email.pk and event.activity_code == ""


def test_missing_data_is_refused_naming_the_field_and_the_case(case, procedure, agent):
    template = make_template(procedure, body_text="Début : {{ dossier.date_debut }}")
    case.data.pop("date_debut")
    case.save()
    with pytest.raises(ValidationError) as caught:
        services.email_send_for_case(case=case, template=template, actor=agent)
    assert "date_debut" in caught.value.messages[0] and case.reference in caught.value.messages[0]
    assert not OutboundEmail.objects.exists()


def test_a_usager_without_email_is_refused_clearly(procedure, agent):
    case = CaseFactory(procedure=procedure, contact=ContactFactory(email=""))
    with pytest.raises(ValidationError) as caught:
        services.email_send_for_case(case=case, template=make_template(procedure), actor=agent)
    assert caught.value.code == "no_email" and case.reference in caught.value.messages[0]


def test_email_for_status_prefers_the_procedures_template(case, procedure):
    general = make_template(None, name="Général", status=CaseStatus.ACCEPTED)
    assert services.email_for_status(case=case, status=CaseStatus.ACCEPTED) == general
    own = make_template(procedure, name="Propre", status=CaseStatus.ACCEPTED)
    assert services.email_for_status(case=case, status=CaseStatus.ACCEPTED) == own
    assert services.email_for_status(case=case, status=CaseStatus.REFUSED) is None


# --- status emails -----------------------------------------------------------------------


def test_without_a_template_the_fixed_status_email_is_sent(case, agent,
                                                           django_capture_on_commit_callbacks):  # fmt: skip
    case.status = CaseStatus.IN_REVIEW
    case.save()
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_transition(case=case, to_status=CaseStatus.ACCEPTED, actor=agent)
    assert len(mail.outbox) == 1 and case.reference in mail.outbox[0].subject
    assert not Event.objects.filter(verb="queue-email").exists()


def test_transition_to_accepted_sends_the_template_with_the_attestation_over_smtp(
    case, procedure, agent, html_template, smtp_server, django_capture_on_commit_callbacks
):
    make_template(procedure, status=CaseStatus.ACCEPTED, attach_template=html_template)
    case.status = CaseStatus.IN_REVIEW
    case.save()
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_transition(case=case, to_status=CaseStatus.ACCEPTED, actor=agent)
    assert len(smtp_server.messages) == 1  # the template's, not the fixed one as well
    received = email_lib.message_from_bytes(
        smtp_server.messages[0].as_bytes(), policy=email.policy.default
    )
    assert received["To"] == case.contact.email
    assert "APE-2026-000123" in received["Subject"]
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert f"acceptée{N}!" in text and f"«{N}Aide aux petites entreprises{N}»" in text
    attachments = list(received.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    assert attachments[0].get_content().startswith(b"%PDF")
    # The attestation is kept on the case too.
    assert GeneratedDocument.objects.filter(case=case).count() == 1
    assert OutboundEmail.objects.get().status == OutboundStatus.SENT


def test_a_template_that_cannot_be_filled_falls_back_to_the_fixed_email(
    case, procedure, agent, django_capture_on_commit_callbacks
):
    make_template(procedure, status=CaseStatus.ACCEPTED, body_text="{{ dossier.date_debut }}")
    case.data.pop("date_debut")
    case.status = CaseStatus.IN_REVIEW
    case.save()
    with django_capture_on_commit_callbacks(execute=True):
        case_services.case_transition(case=case, to_status=CaseStatus.ACCEPTED, actor=agent)
    assert len(mail.outbox) == 1
    fallback = Event.objects.get(verb="status-email-fallback")
    assert "date_debut" in fallback.detail_text


# --- case page ---------------------------------------------------------------------------


def test_the_case_page_lists_the_emails_with_their_status(agent_client, case, procedure):
    OutboundEmail.objects.create(to="a@exemple.fr", subject="Premier", body_text="x",
                                 message_id="<1@t>", status="failed", attempts=5,
                                 last_error="550 boîte inconnue", about_type="cases.case",
                                 about_id=str(case.pk))  # fmt: skip
    OutboundEmail.objects.create(to="a@exemple.fr", subject="Ailleurs", body_text="x",
                                 message_id="<2@t>", about_type="cases.case",
                                 about_id=str(case.pk + 1000))  # fmt: skip
    make_template(procedure, name="Pièces manquantes")
    html = agent_client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="case-emails"' in html and "Premier" in html and "Ailleurs" not in html
    assert "fr-badge--error" in html and "550 boîte inconnue" in html
    assert "Pièces manquantes" in html and reverse("documents:email-send", args=[case.pk]) in html


def test_send_from_the_case_page(agent_client, case, procedure):
    template = make_template(procedure)
    response = agent_client.post(reverse("documents:email-send", args=[case.pk]),
                                 {"template": template.pk})  # fmt: skip
    assert response.status_code == 302 and response.url.endswith("#case-emails")
    assert OutboundEmail.objects.get().subject.startswith("Dossier APE-2026-000123")


def test_resend_is_scoped_and_makes_a_new_email(client, agent, case, other_agent):
    sent = OutboundEmail.objects.create(to="a@exemple.fr", subject="Premier", body_text="x",
                                        message_id="<1@t>", status="bounced",
                                        about_type="cases.case", about_id=str(case.pk))  # fmt: skip
    url = reverse("documents:email-resend", args=[case.pk, sent.pk])
    client.force_login(other_agent)
    assert client.post(url).status_code == 404
    other_case = CaseFactory()
    wrong = reverse("documents:email-resend", args=[other_case.pk, sent.pk])
    assert client.post(wrong).status_code == 404
    client.force_login(agent)
    assert client.post(wrong).status_code == 404  # the email is not about that case
    response = client.post(url)
    assert response.status_code == 302
    assert OutboundEmail.objects.filter(resent_from=sent).count() == 1


# --- admin -------------------------------------------------------------------------------


def admin_data(procedure, **fields):
    data = {
        "name": "Accusé",
        "procedure": procedure.pk,
        "status": "submitted",
        "subject": "Dossier {{ dossier.reference }}",
        "body_text": "Bonjour {{ usager.prenom }}",
        "body_html": "",
        "attach_template": "",
        "is_active": "on",
    }
    data.update(fields)
    return data


def test_admin_refuses_an_unknown_field_and_a_syntax_error(client, admin_agent, procedure):
    client.force_login(admin_agent)
    url = reverse("admin:documents_emailtemplate_add")
    response = client.post(url, admin_data(procedure, subject="{{ usager.age }}",
                                           body_html="<p>\n{% for %}</p>"))  # fmt: skip
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "usager.age" in errors["subject"][0] and "2" in errors["body_html"][0]
    assert not EmailTemplate.objects.exists()
    response = client.post(url, admin_data(procedure))
    assert response.status_code == 302
    template = EmailTemplate.objects.get()
    assert Event.objects.filter(verb="create-email-template", target_id=str(template.pk)).exists()


def test_admin_preview_against_a_case(client, admin_agent, case, procedure, team):
    admin_agent.teams.add(team)
    template = make_template(procedure)
    client.force_login(admin_agent)
    url = reverse("admin:documents_emailtemplate_preview", args=[template.pk])
    assert client.get(url).status_code == 200
    html = client.post(url, {"reference": case.reference.lower()}).content.decode()
    assert "Dossier APE-2026-000123" in html and 'id="email-preview-html"' in html
    assert "Bonjour Élodie" in html
    html = client.post(url, {"reference": "NOPE-1"}).content.decode()
    assert 'id="email-preview-html"' not in html


# --- demo --------------------------------------------------------------------------------


def test_demo_email_templates_are_valid_and_created_once():
    from levier.demo.setup import ensure_demo_setup
    from levier.documents.demo import ensure_demo_email_templates, ensure_demo_templates

    setup = ensure_demo_setup()
    ensure_demo_templates(setup)
    templates = ensure_demo_email_templates(setup)
    assert len(templates) == 3 * len(setup.procedures)
    assert len(ensure_demo_email_templates(setup)) == len(templates)
    assert EmailTemplate.objects.count() == len(templates)
    accepted = [t for t in templates if t.status == CaseStatus.ACCEPTED]
    assert all(t.attach_template is not None for t in accepted if t.procedure.field_schema)
    manual = [t for t in templates if not t.status]
    assert all("pieces_manquantes" in t.body_text for t in manual)


def test_send_from_the_case_page_refuses_a_template_not_offered(agent_client, case, procedure):
    from tests.factories import ProcedureFactory

    foreign = make_template(ProcedureFactory(), name="Autre démarche")
    url = reverse("documents:email-send", args=[case.pk])
    for value in (foreign.pk, "abc", ""):
        response = agent_client.post(url, {"template": value})
        assert response.status_code == 302
    assert not OutboundEmail.objects.exists()
