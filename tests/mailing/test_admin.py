from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from levier.journal.models import Event
from levier.mailing.models import InboundMail, InboundStatus, Mailbox, Security
from levier.mailing.services import store_and_process

from ..factories import AgentFactory
from .messages import plain

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _handler(settings):
    settings.LEVIER_INBOUND_MAIL_HANDLER = "tests.mailing.messages.handler_ok"


@pytest.fixture
def admin_client(client):
    client.force_login(AgentFactory(username="root", administrator=True))
    return client


def test_inbound_pages_open_and_the_eml_downloads(admin_client):
    raw = plain(subject="Ma demande")
    inbound = store_and_process(raw=raw)
    changelist = reverse("admin:mailing_inboundmail_changelist")
    page = admin_client.get(changelist, {"status__exact": "processed", "q": "elise"})
    assert page.status_code == 200
    assert "Ma demande" in page.content.decode()
    assert reverse("admin:mailing_inboundmail_upload") in page.content.decode()
    detail = admin_client.get(reverse("admin:mailing_inboundmail_change", args=[inbound.pk]))
    assert detail.status_code == 200
    eml_url = reverse("admin:mailing_inboundmail_eml", args=[inbound.pk])
    assert eml_url in detail.content.decode()
    download = admin_client.get(eml_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "message/rfc822"
    assert download.content == raw
    assert Event.objects.filter(verb="read", target_id=str(inbound.pk)).exists()


def test_eml_upload_takes_in_each_file_once(admin_client):
    url = reverse("admin:mailing_inboundmail_upload")
    assert admin_client.get(url).status_code == 200
    first, second = plain(subject="Premier"), plain(subject="Second")
    response = admin_client.post(
        url,
        {
            "files": [
                SimpleUploadedFile("premier.eml", first, "message/rfc822"),
                SimpleUploadedFile("second.eml", second, "message/rfc822"),
            ]
        },
        follow=True,
    )
    assert response.status_code == 200
    assert set(InboundMail.objects.values_list("subject", flat=True)) == {"Premier", "Second"}
    assert InboundMail.objects.filter(mailbox=None, status=InboundStatus.PROCESSED).count() == 2
    again = admin_client.post(
        url, {"files": [SimpleUploadedFile("premier.eml", first)]}, follow=True
    )
    assert "premier.eml" in again.content.decode()
    assert InboundMail.objects.count() == 2


def test_eml_upload_without_file_shows_the_form_again(admin_client):
    response = admin_client.post(reverse("admin:mailing_inboundmail_upload"), {})
    assert response.status_code == 200
    assert InboundMail.objects.count() == 0


def test_reprocess_action(admin_client, settings):
    settings.LEVIER_INBOUND_MAIL_HANDLER = "tests.mailing.messages.handler_crash"
    inbound = store_and_process(raw=plain())
    settings.LEVIER_INBOUND_MAIL_HANDLER = "tests.mailing.messages.handler_ok"
    response = admin_client.post(
        reverse("admin:mailing_inboundmail_changelist"),
        {"action": "reprocess", "_selected_action": [inbound.pk]},
        follow=True,
    )
    assert response.status_code == 200
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.PROCESSED


def test_mailbox_password_is_kept_when_left_empty(admin_client):
    mailbox = Mailbox.objects.create(
        name="accueil", host="imap.test", username="u", password="ancien"
    )
    url = reverse("admin:mailing_mailbox_change", args=[mailbox.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and "ancien" not in page.content.decode()
    data = {
        "name": "accueil",
        "is_active": "on",
        "host": "imap2.test",
        "port": "993",
        "security": "ssl",
        "username": "u",
        "password": "",
        "folder": "INBOX",
        "processed_folder": "",
    }
    assert admin_client.post(url, data).status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.host, mailbox.password) == ("imap2.test", "ancien")
    admin_client.post(url, {**data, "password": "nouveau"})
    mailbox.refresh_from_db()
    assert mailbox.password == "nouveau"


def test_mailbox_test_connection_action(admin_client, imap_server):
    good = Mailbox.objects.create(
        name="bonne",
        host=imap_server.host,
        port=imap_server.port,
        security=Security.NONE,
        username=imap_server.user,
        password=imap_server.password,
    )
    bad = Mailbox.objects.create(
        name="mauvaise",
        host=imap_server.host,
        port=imap_server.port,
        security=Security.NONE,
        username=imap_server.user,
        password="faux",
    )
    response = admin_client.post(
        reverse("admin:mailing_mailbox_changelist"),
        {"action": "test_connection", "_selected_action": [good.pk, bad.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "Authentification refusée" in text
    assert text.count("INBOX") >= 1
