import pytest

from levier.mailing.models import Mailbox, Security


@pytest.fixture
def mailbox(imap_server) -> Mailbox:
    """A mailbox pointing at the test Dovecot server."""
    return Mailbox.objects.create(
        name="accueil",
        host=imap_server.host,
        port=imap_server.port,
        security=Security.NONE,
        username=imap_server.user,
        password=imap_server.password,
    )
