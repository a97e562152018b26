from __future__ import annotations

import base64
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from levier.mailing.parsing import MailTooLarge, parse_message

from .messages import plain


def test_plain_message_headers_are_read_and_normalised():
    raw = (
        b"From: =?utf-8?q?Jos=C3=A9_Dupont?= <Jose.Dupont@Example.FR>\r\n"
        b'To: accueil@mairie.test, "Service B" <B@Mairie.test>\r\n'
        b"Subject: =?iso-8859-1?q?R=E9ponse_=E0_votre?=\r\n =?utf-8?q?_courrier?=  \r\n"
        b"Message-ID: <abc.123@example.fr>\r\n"
        b"In-Reply-To:   <out-1@levier.test>\r\n"
        b"References: <out-0@levier.test>\r\n <out-1@levier.test> <out-1@levier.test>\r\n"
        b"Date: Thu, 12 Mar 2026 10:00:00 +0100\r\n"
        b"\r\n"
        b"Bonjour.\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.message_id == "<abc.123@example.fr>"
    assert parsed.in_reply_to == ["<out-1@levier.test>"]
    assert parsed.references == ["<out-0@levier.test>", "<out-1@levier.test>"]
    assert parsed.subject == "Réponse à votre courrier"
    assert parsed.from_name == "José Dupont"
    assert parsed.from_address == "jose.dupont@example.fr"
    assert parsed.to == ["accueil@mairie.test", "b@mairie.test"]
    assert parsed.date == datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    assert parsed.text == parsed.body == "Bonjour."
    assert parsed.automatic == "" and parsed.problems == []


def test_bare_message_ids_get_angle_brackets():
    parsed = parse_message(plain(headers={"In-Reply-To": "out-7@levier.test"}))
    assert parsed.in_reply_to == ["<out-7@levier.test>"]


def test_multipart_alternative_prefers_the_plain_text():
    message = EmailMessage()
    message["From"] = "a@example.fr"
    message["Subject"] = "Alt"
    message.set_content("Le texte brut.")
    message.add_alternative("<p>Le <b>HTML</b>.</p>", subtype="html")
    parsed = parse_message(message.as_bytes())
    assert parsed.text == "Le texte brut."
    assert parsed.attachments == []


def test_html_only_is_turned_into_readable_text():
    message = EmailMessage()
    message["From"] = "a@example.fr"
    message.set_content(
        "<html><head><style>p{color:red}</style></head><body><p>Bonjour,</p>"
        "<ul><li>premier</li><li>second</li></ul><table><tr><td>A</td><td>B</td></tr></table>"
        '<img src="cid:logo"></body></html>',
        subtype="html",
    )
    parsed = parse_message(message.as_bytes())
    assert "Bonjour," in parsed.text
    assert "premier" in parsed.text and "second" in parsed.text
    assert "<" not in parsed.text and "color" not in parsed.text


def test_attachments_with_french_rfc2231_names_and_decoration_images_skipped():
    message = EmailMessage()
    message["From"] = "a@example.fr"
    message.set_content("Voir pièces jointes.")
    message.add_alternative('<p>Voir <img src="cid:logo@x"></p>', subtype="html")
    html = message.get_payload()[1]
    html.add_related(b"\x89PNG fake", maintype="image", subtype="png", cid="<logo@x>")
    message.add_attachment(
        b"%PDF-1.4 avis",
        maintype="application",
        subtype="pdf",
        filename="Avis d'imposition 2025 – Élise.pdf",
    )
    raw = message.as_bytes()
    assert b"filename*=" in raw  # RFC 2231 encoding of the non-ASCII name
    parsed = parse_message(raw)
    assert [(a.filename, a.content_type, a.data) for a in parsed.attachments] == [
        ("Avis d'imposition 2025 – Élise.pdf", "application/pdf", b"%PDF-1.4 avis")
    ]
    assert parsed.text == "Voir pièces jointes."


def test_forwarded_message_is_kept_as_an_eml_attachment():
    inner = EmailMessage()
    inner["From"] = "b@example.fr"
    inner["Subject"] = "Message d'origine"
    inner.set_content("Texte transféré.")
    outer = EmailMessage()
    outer["From"] = "a@example.fr"
    outer.set_content("Je vous transfère ce message.")
    outer.add_attachment(inner)
    parsed = parse_message(outer.as_bytes())
    assert parsed.text == "Je vous transfère ce message."
    (attachment,) = parsed.attachments
    assert attachment.filename == "Message d'origine.eml"
    assert attachment.content_type == "message/rfc822"
    assert b"Texte transf" in attachment.data
    assert parse_message(attachment.data).subject == "Message d'origine"


@pytest.mark.parametrize(
    "charset, encoded",
    [
        ("iso-8859-1", "Père Noël à Noël".encode("latin-1")),
        ("windows-1252", "Œuvre — « déjà » €".encode("cp1252")),
    ],
)
def test_declared_legacy_charsets(charset, encoded):
    raw = (
        b"From: a@example.fr\r\nContent-Type: text/plain; charset="
        + charset.encode()
        + b"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        + encoded
    )
    parsed = parse_message(raw)
    assert parsed.text == encoded.decode(charset)
    assert parsed.problems == []


def test_unknown_charset_is_detected_and_noted():
    text = "Bonjour, voici ma déclaration de revenus. Merci de votre réponse rapide."
    raw = (
        b"From: a@example.fr\r\nContent-Type: text/plain; charset=x-unknown\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + text.encode("utf-8")
    )
    parsed = parse_message(raw)
    assert parsed.text == text
    assert any("x-unknown" in problem for problem in parsed.problems)


def test_text_not_matching_its_charset_is_detected_and_noted():
    raw = (
        b"From: a@example.fr\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + "Réclamation très urgente".encode("cp1252")
    )
    parsed = parse_message(raw)
    assert "clamation" in parsed.text and "\x00" not in parsed.text
    assert parsed.problems


def test_broken_base64_gives_a_result_and_a_note():
    good = base64.b64encode("Pièce illisible ?".encode()).decode()
    raw = (
        "From: a@example.fr\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        f"{good[:-3]}!!*\r\n"
        "--b\r\nContent-Type: application/pdf; name=a.pdf\r\nContent-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment; filename=a.pdf\r\n\r\nJVBER=i0x%%\r\n"
    ).encode()
    parsed = parse_message(raw)
    assert parsed.attachments[0].filename == "a.pdf"
    assert parsed.problems  # missing closing boundary, bad base64


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\r\n\r\n",
        b"From: a@example.fr\r\nSubject: vide\r\n\r\n",
        b"ceci n'est pas un courriel",
        b"\x00\xff\xfe garbage \x80\x81",
        b"Content-Type: multipart/mixed\r\n\r\nno boundary",
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x--",
        b"From: \xe9\xe8 <broken\r\nDate: hier\r\nMessage-ID: <<>>\r\n\r\nx",
    ],
)
def test_junk_never_raises(raw):
    parsed = parse_message(raw)
    assert isinstance(parsed.problems, list)
    assert "\x00" not in parsed.text + parsed.subject + parsed.from_address


def test_empty_body_is_noted():
    parsed = parse_message(b"")
    assert parsed.text == parsed.body == ""
    assert "Message vide." in parsed.problems


def test_too_large_raises(settings):
    settings.LEVIER_MAIL_MAX_BYTES = 100
    with pytest.raises(MailTooLarge):
        parse_message(plain(body="x" * 200))


def test_french_reply_header_and_signature_are_stripped():
    body = (
        "Bonjour,\n\nVoici le justificatif demandé :\n- avis d'imposition\n- RIB\n\n"
        "-- \nÉlise Martin\n06 00 00 00 00\n\n"
        "Le 12 mars 2026 à 10:00, Mairie <accueil@mairie.test> a écrit :\n"
        "> Bonjour, merci de nous envoyer\n> votre justificatif.\n"
    )
    parsed = parse_message(plain(body))
    assert parsed.body == "Bonjour,\n\nVoici le justificatif demandé :\n- avis d'imposition\n- RIB"
    assert "Élise Martin" in parsed.quoted
    assert "merci de nous envoyer" in parsed.quoted
    assert "merci de nous envoyer" in parsed.text


def test_english_reply_header_is_stripped():
    body = (
        "Thank you, here is the document.\n\n"
        "On Thu, Mar 12, 2026 at 10:00 AM Town Hall <hall@mairie.test> wrote:\n"
        "> Please send the document.\n"
    )
    parsed = parse_message(plain(body))
    assert parsed.body == "Thank you, here is the document."
    assert "Please send the document." in parsed.quoted


def test_outlook_french_header_block_is_stripped():
    body = (
        "Ci-joint ma réponse.\n\n"
        "De : Mairie <accueil@mairie.test>\nEnvoyé : jeudi 12 mars 2026 10:00\n"
        "À : Élise Martin <elise.martin@example.fr>\nObjet : Votre dossier\n\n"
        "Bonjour, pouvez-vous compléter votre dossier ?\n"
    )
    parsed = parse_message(plain(body))
    assert parsed.body == "Ci-joint ma réponse."
    assert "compléter votre dossier" in parsed.quoted


def test_body_falls_back_to_text_when_everything_is_quoted():
    body = "> une citation\n> seulement\n"
    parsed = parse_message(plain(body))
    assert parsed.body == parsed.text.strip()


@pytest.mark.parametrize(
    "headers, subject",
    [
        ({"Auto-Submitted": "auto-replied"}, "Votre message"),
        ({"X-Autoreply": "yes"}, "Votre message"),
        ({"X-Autorespond": "Absence"}, "Votre message"),
        ({"Precedence": "bulk"}, "Lettre d'information"),
        ({"X-Auto-Response-Suppress": "All"}, "Votre message"),
        ({}, "Réponse automatique : Votre message"),
        ({}, "Absence du bureau : Votre message"),
        ({}, "Out of office: your message"),
        ({}, "Automatic reply: your message"),
    ],
)
def test_auto_replies_are_recognised(headers, subject):
    parsed = parse_message(plain(subject=subject, headers=headers))
    assert parsed.automatic


@pytest.mark.parametrize(
    "headers, subject",
    [
        ({"Auto-Submitted": "no"}, "Votre message"),
        ({}, "Absence de réponse à ma demande"),
        ({}, "Re: Réponse automatique reçue, mais pas de suite"),
    ],
)
def test_messages_people_wrote_are_not_automatic(headers, subject):
    assert parse_message(plain(subject=subject, headers=headers)).automatic == ""


DSN = b"""Return-Path: <>
From: MAILER-DAEMON@mx.mairie.test (Mail Delivery System)
To: accueil@mairie.test
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.

<inconnu@example.fr>: host mx.example.fr said: 550 5.1.1 User unknown

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.mairie.test

Final-Recipient: rfc822; inconnu@example.fr
Original-Recipient: rfc822;inconnu@example.fr
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--BOUNDARY
Content-Type: message/rfc822

From: accueil@mairie.test
To: inconnu@example.fr
Subject: Votre demande

Bonjour.

--BOUNDARY--
"""


def test_bounce_is_recognised_with_the_failed_address():
    parsed = parse_message(DSN)
    assert parsed.automatic.startswith("Avis de non-distribution")
    assert parsed.bounced_addresses == ["inconnu@example.fr"]


def test_null_sender_with_a_report_is_automatic():
    raw = (
        DSN.replace(b"MAILER-DAEMON@mx.mairie.test", b"robot@mx.mairie.test")
        .replace(b"report-type=delivery-status", b"report-type=other")
        .replace(b"Undelivered Mail Returned to Sender", b"Rapport")
    )
    assert parse_message(raw).automatic
