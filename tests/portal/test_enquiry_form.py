"""Portal: the landing page and writing to the administration, without an account."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from levier.contacts.models import Contact
from levier.core import verification
from levier.enquiries.models import Attachment, Enquiry
from levier.journal.models import Event

from ..enquiries.files import make_pdf, make_png, upload
from ..factories import TopicFactory

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b[A-HJ-NP-Z2-9]{8}\b")


@pytest.fixture
def topic(team):
    return TopicFactory(team=team, label="Stationnement résidentiel", sla_hours=24)


def valid_data(chosen_topic, **changes):
    return {
        "first_name": "Élodie",
        "last_name": "Lefèvre",
        "email": "Elodie.Lefevre@Exemple.fr",
        "phone": "06 12 34 56 78",
        "topic": chosen_topic.pk,
        "subject": "Carte de stationnement",
        "message": "Bonjour,\nje souhaite renouveler ma carte.",
        **changes,
    }


def test_home_is_public_and_leads_to_the_three_services(client):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("portal:enquiry_new", "portal:procedures", "portal:follow"):
        assert f'href="{reverse(name)}"' in html
    assert response.context["nav"] == "home"


def test_form_is_public(client, topic):
    response = client.get(reverse("portal:enquiry_new"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html and "multiple" in html
    assert topic.label in html


def test_happy_path_registers_the_enquiry_and_emails_reference_and_code(
    client, topic, mailoutbox, django_capture_on_commit_callbacks
):
    data = valid_data(
        topic, attachments=[upload("avis.pdf", make_pdf(2)), upload("photo.png", make_png())]
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:enquiry_new"), data)
    assert response.status_code == 302 and response["Location"] == reverse("portal:enquiry_sent")

    enquiry = Enquiry.objects.get()
    assert enquiry.channel == "portal" and enquiry.topic == topic and enquiry.team == topic.team
    assert enquiry.subject == "Carte de stationnement"
    contact = enquiry.contact
    assert (contact.first_name, contact.last_name, contact.email) == (
        "Élodie",
        "Lefèvre",
        "elodie.lefevre@exemple.fr",
    )
    assert contact.phone.replace(" ", "") == "0612345678"
    message = enquiry.messages.get()
    assert message.body == "Bonjour,\nje souhaite renouveler ma carte."
    assert sorted(
        Attachment.objects.filter(message=message).values_list("original_name", flat=True)
    ) == ["avis.pdf", "photo.png"]
    assert Event.objects.filter(
        verb="create", target_id=str(enquiry.pk), actor_kind="usager"
    ).exists()

    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["elodie.lefevre@exemple.fr"]
    assert enquiry.reference in email.body
    codes = CODE.findall(email.body)
    assert any(
        verification.matches(enquiry.reference, code, enquiry.verification_digest) for code in codes
    )

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert enquiry.reference in page.content.decode()
    assert "elodie.lefevre@exemple.fr" in page.content.decode()


def test_the_same_usager_writing_twice_is_one_contact(client, topic):
    client.post(reverse("portal:enquiry_new"), valid_data(topic))
    client.post(reverse("portal:enquiry_new"), valid_data(topic, subject="Autre question"))
    assert Enquiry.objects.count() == 2
    assert Contact.objects.count() == 1


def test_empty_form_gives_an_error_on_each_required_field(client, topic):
    response = client.post(reverse("portal:enquiry_new"), {"first_name": "  ", "subject": " "})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert set(errors) == {"first_name", "last_name", "email", "topic", "subject", "message"}
    assert not Enquiry.objects.exists() and not Contact.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "elodie.exemple.fr"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"phone": "06 12 34 AB 78"}, "phone"),
        ({"topic": "999999"}, "topic"),
        ({"topic": "abc"}, "topic"),
        ({"subject": "x" * 201}, "subject"),
    ],
)
def test_each_bad_field_is_named_and_the_rest_is_kept(client, topic, changes, field):
    response = client.post(reverse("portal:enquiry_new"), valid_data(topic, **changes))
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == [field]
    html = response.content.decode()
    assert "Carte de stationnement" in html or field == "subject"  # what was typed is kept
    assert "je souhaite renouveler ma carte." in html
    assert not Enquiry.objects.exists()


def test_a_pdf_named_png_is_refused_with_the_file_name(client, topic):
    data = valid_data(
        topic, attachments=[upload("avis.pdf", make_pdf()), upload("photo.png", make_pdf())]
    )
    response = client.post(reverse("portal:enquiry_new"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors["attachments"]
    assert any("photo.png" in error for error in errors)
    assert not any("avis.pdf" in error for error in errors)
    assert not Enquiry.objects.exists() and not Attachment.objects.exists()


def test_an_oversized_file_is_refused(client, topic, settings):
    settings.LEVIER_UPLOAD_MAX_BYTES = 2000
    data = valid_data(topic, attachments=[upload("gros.txt", b"a" * 3000)])
    response = client.post(reverse("portal:enquiry_new"), data)
    assert response.status_code == 400
    (first, *_rest) = response.context["form"].errors["attachments"]
    assert "gros.txt" in first
    assert not Enquiry.objects.exists()


def test_too_many_files_are_refused(client, topic):
    data = valid_data(topic, attachments=[upload(f"note{n}.txt", b"texte") for n in range(6)])
    response = client.post(reverse("portal:enquiry_new"), data)
    assert response.status_code == 400
    assert "attachments" in response.context["form"].errors


def test_sent_page_without_a_sent_enquiry_goes_back_to_the_form(client):
    response = client.get(reverse("portal:enquiry_sent"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:enquiry_new")
