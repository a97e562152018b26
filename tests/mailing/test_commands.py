from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from levier.mailing.models import InboundMail, InboundStatus
from levier.mailing.tasks import fetch_mailboxes

from .messages import plain

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _handler(settings):
    settings.LEVIER_INBOUND_MAIL_HANDLER = "tests.mailing.messages.handler_ok"


def test_mail_fetch_prints_a_line_per_mailbox_and_a_total(imap_server, mailbox, capsys):
    imap_server.append(plain())
    call_command("mail", "fetch")
    out = capsys.readouterr().out
    assert "accueil: 1 processed, 0 ignored, 0 quarantined" in out
    assert "Total: 1 new messages, 0 mailbox(es) in error." in out
    assert InboundMail.objects.get().status == InboundStatus.PROCESSED


def test_mail_fetch_one_mailbox_reports_errors(imap_server, mailbox, capsys):
    mailbox.password = "faux"
    mailbox.save()
    call_command("mail", "fetch", "--mailbox", "accueil")
    captured = capsys.readouterr()
    assert "Authentification refusée" in captured.err
    assert "1 mailbox(es) in error" in captured.out


def test_mail_fetch_unknown_mailbox_names_the_known_ones(mailbox):
    with pytest.raises(
        CommandError, match="No mailbox named “nope”. Configured mailboxes: accueil."
    ):
        call_command("mail", "fetch", "--mailbox", "nope")


def test_mail_import_files_once_each(tmp_path, capsys):
    first = tmp_path / "demande.eml"
    first.write_bytes(plain(subject="Demande"))
    auto = tmp_path / "auto.eml"
    auto.write_bytes(plain(subject="Out of office: demande"))
    call_command("mail", "import", str(first), str(auto))
    out = capsys.readouterr().out
    assert "demande.eml: " in out and "TEST-REF" in out
    assert "auto.eml: " in out
    assert InboundMail.objects.count() == 2

    call_command("mail", "import", str(first))
    assert "already imported" in capsys.readouterr().out
    assert InboundMail.objects.count() == 2


def test_mail_import_missing_file_is_a_clear_error(tmp_path, capsys):
    good = tmp_path / "ok.eml"
    good.write_bytes(plain())
    with pytest.raises(CommandError, match="2 file\\(s\\) could not be read"):
        call_command("mail", "import", str(tmp_path / "absent.eml"), str(good), str(tmp_path))
    err = capsys.readouterr().err
    assert "absent.eml: no such file" in err
    assert "cannot be read" in err
    assert InboundMail.objects.count() == 1


def test_fetch_mailboxes_task(imap_server, mailbox):
    imap_server.append(plain())
    result = fetch_mailboxes.enqueue()
    assert result.return_value[0]["processed"] == 1
    assert result.return_value[0]["mailbox"] == "accueil"
