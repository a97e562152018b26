"""What a levier process refuses to start with.

The demo's secret key is public (it is in this repository): a server or a worker
running with it lets anyone forge session cookies, unsubscription links and
verification digests. Outside the demo (`LEVIER_DEMO=1`, or debug mode) the web
server (`levier.wsgi`, hence `levier serve` and any WSGI server), the task worker and
every `levier` command that may sign something refuse to start with it or with an
empty key. Checked at start-up rather than when the settings are imported, so the
test suite and `levier check --deploy` still load them.
"""

from django.core.exceptions import ImproperlyConfigured

DEMO_SECRET_KEY = "insecure-levier-demo-key-change-me-in-production"

# Commands that sign nothing and must run without the production secrets: diagnosing the
# configuration (`check --deploy` reports the key as an error), building a release.
COMMANDS_WITHOUT_SECRET_KEY = frozenset(
    {
        "check",
        "makemigrations",
        "compilemessages",
        "makemessages",
        "collectstatic",
        "help",
        "version",
    }
)


class InsecureSecretKeyError(ImproperlyConfigured):
    """The process would run with the public demo key or an empty one."""


def secret_key_problem() -> str | None:
    """The French message saying what is wrong with the secret key, or None."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    try:
        key = settings.SECRET_KEY or ""
    except ImproperlyConfigured:  # Django's own refusal of an empty key: ours says what to do
        key = ""
    if not key.strip():
        return _("LEVIER_SECRET_KEY is empty.")
    if key == DEMO_SECRET_KEY:
        return _(
            "LEVIER_SECRET_KEY is the demo's public key, which anyone can read in the source code."
        )
    return None


def secret_key_fix() -> str:
    from django.utils.translation import gettext as _

    return _(
        "Set LEVIER_SECRET_KEY to a long random value kept secret, for example the output of: "
        "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )


def insecure_secret_key_problem() -> str | None:
    """Why this process may not start with its key (in French), or None when it may."""
    from django.conf import settings
    from django.utils.translation import gettext as _

    if settings.LEVIER_DEMO or settings.DEBUG:
        return None
    problem = secret_key_problem()
    if problem is None:
        return None
    return " ".join(
        [
            problem,
            _("levier refuses to start with it outside the demo."),
            secret_key_fix(),
            _("For a local demonstration only, set LEVIER_DEMO=1."),
        ]
    )


def refuse_insecure_secret_key() -> None:
    """Raise InsecureSecretKeyError (its message in French) unless the key may be used."""
    problem = insecure_secret_key_problem()
    if problem:
        raise InsecureSecretKeyError(problem)
