"""Portal: published procedures, the submission form, per-field errors, the receipt."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from levier.cases.models import Case, CaseStatus
from levier.contacts.models import Contact, ContactKind
from levier.core.verification import matches
from levier.journal.models import Event
from tests.factories import ProcedureFactory

from .conftest import FULL_SCHEMA, VALID_SIRET, make_pdf, make_png, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_procedure(team):
    return ProcedureFactory(
        team=team,
        slug="aide-vitrine",
        name="Aide à la vitrine",
        reference_prefix="VIT",
        field_schema=FULL_SCHEMA,
        description="Pour les commerces de centre-ville.",
    )


def person(**overrides):
    post = {
        "identity-kind": "person",
        "identity-first_name": "Élodie",
        "identity-last_name": "Dupont",
        "identity-birth_date": "1985-04-12",
        "identity-email": "elodie.dupont@exemple.fr",
        "identity-phone": "06 12 34 56 78",
    }
    post.update(overrides)
    return post


def request_data(**overrides):
    post = {
        "project": "Rénovation de la vitrine",
        "amount": "4 500,00",
        "employees": "2",
        "site__street": "3 place Bellecour",
        "site__postal_code": "69002",
        "site__city": "Lyon",
    }
    post.update(overrides)
    return post


def test_the_list_shows_published_procedures_only(client, team):
    shown = ProcedureFactory(team=team, name="Aide visible")
    hidden = ProcedureFactory(team=team, name="Aide en préparation", published=False)
    response = client.get(reverse("portal:procedures"))
    assert response.status_code == 200
    content = response.content.decode()
    assert shown.name in content and hidden.name not in content
    assert reverse("portal:case_new", args=[shown.slug]) in content
    assert client.get(reverse("portal:case_new", args=[hidden.slug])).status_code == 404


def test_the_form_renders_every_field_type(client, full_procedure):
    response = client.get(reverse("portal:case_new", args=[full_procedure.slug]))
    assert response.status_code == 200
    content = response.content.decode()
    for entry in FULL_SCHEMA:
        assert entry["label"].replace("'", "&#x27;") in content
    assert 'enctype="multipart/form-data"' in content
    assert 'type="date"' in content and 'type="file"' in content
    assert 'name="identity-siret"' in content


def test_a_person_submits_a_case(client, full_procedure, django_capture_on_commit_callbacks):
    post = {
        **person(),
        **request_data(),
        "quote": upload("devis.pdf", make_pdf(2)),
        "photo": upload("vitrine.png", make_png()),
        "other-documents": [upload("kbis.pdf", make_pdf(1)), upload("rib.png", make_png())],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:case_new", args=[full_procedure.slug]), post)
    assert response.status_code == 302, response.context and [
        f.errors for f in (response.context["identity_form"], response.context["form"])
    ]
    case = Case.objects.get()
    assert case.status == CaseStatus.SUBMITTED and case.team == full_procedure.team
    assert case.reference.startswith("VIT-")
    assert case.data["amount"] == "4500.00" and case.data["site"]["city"] == "Lyon"
    assert case.contact.kind == ContactKind.PERSON and case.contact.last_name == "Dupont"
    documents = {d.original_name: d for d in case.documents.all()}
    assert set(documents) == {"devis.pdf", "vitrine.png", "kbis.pdf", "rib.png"}
    assert documents["devis.pdf"].page_count == 2 and documents["devis.pdf"].field_name == "quote"
    assert documents["kbis.pdf"].field_name == "" and len(documents["kbis.pdf"].sha256) == 64
    assert Event.objects.filter(verb="submit", target_id=str(case.pk), actor_kind="usager").exists()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["elodie.dupont@exemple.fr"] and case.reference in message.body
    codes = [
        word
        for word in re.findall(r"\b[A-Z2-9]{8}\b", message.body)
        if matches(case.reference, word, case.verification_digest)
    ]
    assert len(codes) == 1
    code = codes[0]

    receipt = client.get(response.url)
    assert receipt.status_code == 200
    content = receipt.content.decode()
    assert case.reference in content and "e***@exemple.fr" in content
    assert code not in content


def test_a_company_submits_a_case(client, full_procedure, django_capture_on_commit_callbacks):
    post = {
        "identity-kind": "company",
        "identity-legal_name": "Boulangerie du Parc",
        "identity-siret": "732 829 320 00074",
        "identity-email": "contact@boulangerie.fr",
        **request_data(),
        "quote": upload("devis.pdf", make_pdf(1)),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:case_new", args=[full_procedure.slug]), post)
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (
        contact.kind == ContactKind.COMPANY
        and contact.siret == VALID_SIRET
        and contact.siren == VALID_SIRET[:9]
    )
    assert VALID_SIRET in Case.objects.get().search_text


def test_errors_are_shown_on_each_wrong_field(client, full_procedure):
    post = {
        **person(**{"identity-last_name": "", "identity-email": "pas-un-courriel"}),
        **request_data(amount="beaucoup", siret="123", iban="FR00 1234", site__postal_code="6900"),
        "quote": upload("devis.pdf", make_png()),
        "photo": upload("photo.png", make_pdf(1)),
    }
    response = client.post(reverse("portal:case_new", args=[full_procedure.slug]), post)
    assert response.status_code == 400
    assert set(response.context["identity_form"].errors) == {"last_name", "email"}
    assert set(response.context["form"].errors) == {
        "amount",
        "siret",
        "iban",
        "site__postal_code",
        "quote",
        "photo",
    }
    content = response.content.decode()
    assert content.count('aria-invalid="true"') >= 6
    assert "fr-input-group--error" in content
    assert 'href="#id_amount"' in content  # the error summary links to the field
    assert not Case.objects.exists() and not Contact.objects.exists()


def test_a_company_needs_its_siret(client, full_procedure):
    post = {
        "identity-kind": "company",
        "identity-legal_name": "Boulangerie du Parc",
        "identity-email": "contact@boulangerie.fr",
        **request_data(),
        "quote": upload("devis.pdf", make_pdf(1)),
    }
    response = client.post(reverse("portal:case_new", args=[full_procedure.slug]), post)
    assert response.status_code == 400
    assert list(response.context["identity_form"].errors) == ["siret"]


def test_an_oversized_upload_is_refused_on_its_field(client, settings, full_procedure):
    settings.LEVIER_UPLOAD_MAX_BYTES = 200
    post = {**person(), **request_data(), "quote": upload("devis.pdf", make_pdf(2))}
    response = client.post(reverse("portal:case_new", args=[full_procedure.slug]), post)
    assert response.status_code == 400
    assert "devis.pdf" in " ".join(response.context["form"].errors["quote"])


def test_too_many_other_documents_are_refused(client, full_procedure):
    post = {
        **person(),
        **request_data(),
        "quote": upload("devis.pdf", make_pdf(1)),
        "other-documents": [upload(f"p{i}.png", make_png()) for i in range(6)],
    }
    response = client.post(reverse("portal:case_new", args=[full_procedure.slug]), post)
    assert response.status_code == 400
    assert "documents" in response.context["others_form"].errors


def test_the_form_uses_the_current_version(client, team):
    from levier.cases.services import procedure_publish_version
    from tests.factories import AgentFactory

    procedure = ProcedureFactory(team=team)
    procedure.field_schema = [
        {"name": "motif", "label": "Motif de la demande", "type": "text", "required": True}
    ]
    procedure.save()
    # Edited but not published: the portal still shows version 1.
    assert (
        "Montant demandé"
        in client.get(reverse("portal:case_new", args=[procedure.slug])).content.decode()
    )
    procedure_publish_version(procedure=procedure, actor=AgentFactory(administrator=True))
    content = client.get(reverse("portal:case_new", args=[procedure.slug])).content.decode()
    assert "Motif de la demande" in content and "Montant demandé" not in content


def test_the_receipt_without_a_submission_goes_back_to_the_form(client, full_procedure):
    response = client.get(reverse("portal:case_submitted", args=[full_procedure.slug]))
    assert response.status_code == 302
    assert response.url == reverse("portal:case_new", args=[full_procedure.slug])


def test_a_known_company_gets_the_code_at_the_address_typed(
    client, full_procedure, django_capture_on_commit_callbacks
):
    from tests.factories import ContactFactory

    known = ContactFactory(company=True, siret=VALID_SIRET, email="compta@boulangerie.fr")
    post = {
        "identity-kind": "company",
        "identity-legal_name": "Boulangerie du Parc",
        "identity-siret": VALID_SIRET,
        "identity-email": "gerante@boulangerie.fr",
        **request_data(),
        "quote": upload("devis.pdf", make_pdf(1)),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:case_new", args=[full_procedure.slug]), post)
    assert response.status_code == 302
    assert Case.objects.get().contact == known
    assert mail.outbox[0].to == ["gerante@boulangerie.fr"]
    assert "g***@boulangerie.fr" in client.get(response.url).content.decode()
