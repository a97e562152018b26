import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from .factories import AgentFactory, TeamFactory

# CI runs on two shared cores: a property test must not fail because the machine was busy
# (time is benchmarked in bench/, never asserted in tests).
hypothesis_settings.register_profile(
    "levier", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("levier")


@pytest.fixture(autouse=True)
def _language_left_as_found():
    """A request in another language leaves that language active in the thread
    (LocaleMiddleware does not reset it): each test leaves the language as it found it."""
    from django.utils import translation

    found = translation.get_language()
    yield
    if found:
        translation.activate(found)
    else:
        translation.deactivate_all()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LEVIER_EXPORT_DIR = tmp_path / "exports"  # large exports' files (insights)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Tasks run at once in tests; the worker itself is exercised in tests/core/test_worker.py.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "email"],
        }
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Reading documents (OCR) on every submission would slow every test that submits a
    # case; the controls tests switch it on where they test it.
    settings.LEVIER_CONTROLS_ON_SUBMISSION = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every test is a check of the journal's payload policy: a personal value is refused.
    settings.JOURNAL_PAYLOAD_STRICT = True


@pytest.fixture
def team(db):
    return TeamFactory(name="Instruction Lyon", slug="instruction-lyon")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Instruction Villeurbanne", slug="instruction-villeurbanne")


@pytest.fixture
def agent(team):
    return AgentFactory(username="camille", teams=[team])


@pytest.fixture
def other_agent(other_team):
    return AgentFactory(username="dominique", teams=[other_team])


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback (aiosmtpd); Django sends to it over SMTP."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    class Inbox(Message):
        def __init__(self):
            super().__init__()
            self.messages = []

        def handle_message(self, message):
            self.messages.append(message)

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    try:
        yield inbox
    finally:
        controller.stop()


from tests.imap_server import imap_server  # noqa: E402,F401


def _create_activity_catalogue() -> None:
    import importlib

    from django.apps import apps

    for name in ("0003_activity_catalogue", "0004_intake_activities", "0005_control_activities"):
        importlib.import_module(f"levier.journal.migrations.{name}").create_activities(apps, None)


def _is_transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        fixtures & {"transactional_db", "live_server"}
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After a transactional test has flushed the database, load the activity catalogue of
    the journal's data migrations again: the tests that follow in this worker (whichever
    they are, the order depends on how xdist shares the files) read it as any deployment
    has it (labels, standard durations)."""
    yield
    if nextitem is not None and _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _create_activity_catalogue()


@pytest.fixture
def activity_catalogue(db):
    """The activity catalogue journal's data migrations load. A transactional test that ran
    earlier in the same worker (browser tests, killed workers) flushed it with the rest; the
    teardown hook above loads it again, this makes sure of it for tests that count on it."""
    _create_activity_catalogue()
