"""Settings for levier, read from environment variables in one place.

Every variable is documented in docs/configuration.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from levier.startup import DEMO_SECRET_KEY

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("LEVIER_VAR_DIR", Path.cwd() / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("LEVIER_DEBUG", False)
# The default key only serves local demos; production sets LEVIER_SECRET_KEY. Outside the
# demo (LEVIER_DEMO=1, set by `make demo`) or debug mode, the web server, the worker and the
# commands refuse to start with it or an empty one (levier.startup).
LEVIER_DEMO = env_bool("LEVIER_DEMO", False)
SECRET_KEY = os.environ.get("LEVIER_SECRET_KEY", DEMO_SECRET_KEY)
ALLOWED_HOSTS = env_list("LEVIER_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("LEVIER_CSRF_TRUSTED_ORIGINS", "")
BASE_URL = os.environ.get("LEVIER_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "django.forms",  # after dsfr, so the DSFR widget templates win
    "widget_tweaks",
    "django_htmx",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "levier.core",
    "levier.journal",
    "levier.contacts",
    "levier.automation",  # calls the apps below through their services; none imports it
    "levier.mailing",
    "levier.cases",
    "levier.documents",
    "levier.controls",
    "levier.campaigns",
    "levier.enquiries",
    "levier.exchange",
    "levier.privacy",
    "levier.portal",
    "levier.insights",  # reads the journal and the other apps, writes none of their data
    "levier.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "levier.core.request_limits.request_size_limit_middleware",
    "levier.core.pdf_checks.check_budget_middleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "levier.core.middleware.NoStoreForPersonalPagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "levier.urls"
WSGI_APPLICATION = "levier.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "levier.core.context_processors.shell",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"


DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'levier.sqlite3'}"),
        conn_max_age=int(os.environ.get("LEVIER_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker use the file at the same time.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif "postgresql" in DATABASES["default"]["ENGINE"]:
    # No JIT: on the dashboards' aggregates PostgreSQL spent 1.25 s of 1.34 s compiling one
    # query (bench/dashboards.py); levier's queries are short, JIT never pays back.
    # LEVIER_DB_JIT=on gives it back to the planner's thresholds.
    if os.environ.get("LEVIER_DB_JIT", "off") != "on":
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A cache every web worker and machine shares (rate limits, attempt counters): a table
# of the database, created by `levier migrate` (core migration 0004).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "levier_cache",
        # Past this many rows the table loses a third of them, live counters included
        # (see levier.core.attempt_limits); `levier watch` deletes expired rows each round.
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("LEVIER_CACHE_MAX_ENTRIES", "200000"))},
    }
}

AUTH_USER_MODEL = "core.Agent"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# The client's address (levier.core.client_address): X-Forwarded-For is read only when
# the request comes from one of these proxies (comma-separated addresses or CIDR ranges).
LEVIER_TRUSTED_PROXIES = env_list("LEVIER_TRUSTED_PROXIES", "")

# Lockout after repeated failed logins (django-axes, levier.core.login_lockout): a user
# name is locked from one client address only, so failures from elsewhere never lock its
# owner out; an address failing on many user names is locked for all of them.
AXES_FAILURE_LIMIT = int(os.environ.get("LEVIER_LOGIN_FAILURE_LIMIT", "5"))
LEVIER_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LEVIER_LOGIN_ADDRESS_FAILURE_LIMIT", "30"))
AXES_COOLOFF_TIME = float(os.environ.get("LEVIER_LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "levier.core.login_lockout.PairAndAddressLockoutHandler"
AXES_CLIENT_IP_CALLABLE = "levier.core.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "levier.core.login_lockout.lockout_response"

# Failed follow-up codes on the usager portal, counted in the shared cache per reference
# and per client address within a sliding window.
LEVIER_FOLLOW_FAILURES_PER_REFERENCE = int(
    os.environ.get("LEVIER_FOLLOW_FAILURES_PER_REFERENCE", "10")
)
LEVIER_FOLLOW_FAILURES_PER_ADDRESS = int(os.environ.get("LEVIER_FOLLOW_FAILURES_PER_ADDRESS", "20"))
LEVIER_FOLLOW_WINDOW_SECONDS = 60 * int(os.environ.get("LEVIER_FOLLOW_WINDOW_MINUTES", "15"))
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("LEVIER_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("LEVIER_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": os.environ.get(
            "LEVIER_STATICFILES_STORAGE",
            "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = True

# Uploads: per-file limit, checked on the bytes received (see core.uploads).
LEVIER_UPLOAD_MAX_BYTES = int(os.environ.get("LEVIER_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
# A whole request body (every file and field together), refused past this while reading
# (core.request_limits); the proxy in front should refuse it first (docs/deployment.md).
LEVIER_REQUEST_MAX_BYTES = int(os.environ.get("LEVIER_REQUEST_MAX_BYTES", str(50 * 1024 * 1024)))
# PDFs are checked in a child process (core.pdf_checks): pages allowed per file, memory of
# the child, and wall-clock seconds all the PDFs of one request may take together.
LEVIER_UPLOAD_MAX_PAGES = int(os.environ.get("LEVIER_UPLOAD_MAX_PAGES", "300"))
LEVIER_UPLOAD_CHECK_MEMORY_MB = int(os.environ.get("LEVIER_UPLOAD_CHECK_MEMORY_MB", "256"))
LEVIER_UPLOAD_CHECK_SECONDS = float(os.environ.get("LEVIER_UPLOAD_CHECK_SECONDS", "10"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "levier.core.request_limits.BoundedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Email: SMTP by default; outgoing mail always leaves through the task queue.
EMAIL_BACKEND = os.environ.get(
    "LEVIER_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("LEVIER_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(os.environ.get("LEVIER_EMAIL_PORT", "1025"))
EMAIL_HOST_USER = os.environ.get("LEVIER_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("LEVIER_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("LEVIER_EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get(
    "LEVIER_DEFAULT_FROM_EMAIL", "levier <ne-pas-repondre@levier.localhost>"
)
# The mailbox levier reads (see mailing): usagers' replies go there and thread into their enquiry.
LEVIER_REPLY_TO_EMAIL = os.environ.get("LEVIER_REPLY_TO_EMAIL", "")
# Outbox: attempts to send one email (with backoff 1 min, 5 min, 30 min, 2 h, 6 h, 6 h…,
# about 20 hours for 8) before it is marked failed and the problem noted on the contact.
LEVIER_EMAIL_MAX_ATTEMPTS = int(os.environ.get("LEVIER_EMAIL_MAX_ATTEMPTS", "8"))

# Enquiry classifier: below this confidence a suggested topic or urgency is withheld.
LEVIER_CLASSIFIER_THRESHOLD = os.environ.get("LEVIER_CLASSIFIER_THRESHOLD", "0.6")

# Inbound mail (see mailing): a message larger than this stays on the IMAP server, in a
# quarantine folder, and is listed for an administrator.
LEVIER_MAIL_MAX_BYTES = int(os.environ.get("LEVIER_MAIL_MAX_BYTES", str(25 * 1024 * 1024)))
# Largest event log (XES, gzipped XES once decompressed, CSV) `levier insights mine` reads.
LEVIER_EVENTLOG_MAX_BYTES = int(os.environ.get("LEVIER_EVENTLOG_MAX_BYTES", str(1024**3)))
# Cases (or enquiries) the process map (/pilotage/processus/) analyses at most per page.
LEVIER_PROCESS_MAX_CASES = int(os.environ.get("LEVIER_PROCESS_MAX_CASES", "20000"))
# Yearly working hours of a full-time agent (French public service: 1,607): time saved in FTE.
LEVIER_FTE_HOURS_PER_YEAR = int(os.environ.get("LEVIER_FTE_HOURS_PER_YEAR", "1607"))
LEVIER_MAIL_QUARANTINE_FOLDER = os.environ.get(
    "LEVIER_MAIL_QUARANTINE_FOLDER", "levier-quarantaine"
)
# What turns a stored inbound email into an enquiry (called inside the storing transaction).
LEVIER_INBOUND_MAIL_HANDLER = "levier.enquiries.intake.receive_inbound_mail"

# Partners' API: refused calls (401, 403, 422…) answered per client address (calls without
# a valid token) and per token in a window; beyond, 429 and nothing is kept (see
# exchange.refusal_limits). Refused calls are deleted this many days after they were last seen.
LEVIER_API_MAX_REFUSALS = int(os.environ.get("LEVIER_API_MAX_REFUSALS", "30"))
LEVIER_API_REFUSALS_WINDOW_SECONDS = int(
    os.environ.get("LEVIER_API_REFUSALS_WINDOW_SECONDS", "600")
)
LEVIER_RETENTION_REFUSED_API_DAYS = int(os.environ.get("LEVIER_RETENTION_REFUSED_API_DAYS", "30"))

# Enquiry intake: more messages than this from one sender in an hour are quarantined (flood).
LEVIER_INTAKE_MAX_PER_HOUR = int(os.environ.get("LEVIER_INTAKE_MAX_PER_HOUR", "10"))
# Team (slug) that receives what no routing rule or topic places; the first team otherwise.
LEVIER_INTAKE_DEFAULT_TEAM = os.environ.get("LEVIER_INTAKE_DEFAULT_TEAM", "")
# A usager writing again on the same subject within this many days joins the open enquiry.
LEVIER_GROUPING_DAYS = int(os.environ.get("LEVIER_GROUPING_DAYS", "7"))

# Business hours for answer deadlines: opening ranges on working days (ISO weekdays),
# French public holidays excluded (LEVIER_HOLIDAYS_SUBDIV: e.g. 57 for Moselle, 974).
LEVIER_BUSINESS_HOURS = os.environ.get("LEVIER_BUSINESS_HOURS", "09:00-12:30,13:30-17:00")
LEVIER_BUSINESS_DAYS = os.environ.get("LEVIER_BUSINESS_DAYS", "1,2,3,4,5")
LEVIER_HOLIDAYS_SUBDIV = os.environ.get("LEVIER_HOLIDAYS_SUBDIV", "")

# Filling an administrator's template (documents, emails) runs in a child process killed
# after this many seconds or beyond this much memory (MB, on top of the worker's own);
# a template may build or print at most this many characters (or list items).
LEVIER_TEMPLATE_RENDER_SECONDS = float(os.environ.get("LEVIER_TEMPLATE_RENDER_SECONDS", "20"))
LEVIER_TEMPLATE_RENDER_MEMORY_MB = int(os.environ.get("LEVIER_TEMPLATE_RENDER_MEMORY_MB", "512"))
LEVIER_TEMPLATE_MAX_OUTPUT = int(os.environ.get("LEVIER_TEMPLATE_MAX_OUTPUT", "2000000"))

# Electronic seal of generated PDFs (see documents.seal): a PAdES signature with the
# organisation's certificate. Empty by default: sealing is off. Setting the key or the
# certificate turns it on; a missing or mismatched file is then an error naming the variable.
LEVIER_SEAL_KEY_FILE = os.environ.get("LEVIER_SEAL_KEY_FILE", "")  # PEM private key
LEVIER_SEAL_CERT_FILE = os.environ.get("LEVIER_SEAL_CERT_FILE", "")  # PEM certificate
LEVIER_SEAL_CHAIN_FILE = os.environ.get("LEVIER_SEAL_CHAIN_FILE", "")  # PEM intermediates
LEVIER_SEAL_KEY_PASSWORD = os.environ.get("LEVIER_SEAL_KEY_PASSWORD", "")
LEVIER_SEAL_REASON = os.environ.get("LEVIER_SEAL_REASON", "Document scellé par l'administration")
LEVIER_SEAL_LOCATION = os.environ.get("LEVIER_SEAL_LOCATION", "")

# Controls (see controls.reading.twoddoc_verify): 2D-Doc signing certificates trusted, as
# "CAID:/path/cert.pem" or "CAID/CERTID:/path" separated by commas (the demo trusts its own test key).
LEVIER_2DDOC_TRUSTED_CERTIFICATES = [
    entry.strip()
    for entry in os.environ.get("LEVIER_2DDOC_TRUSTED_CERTIFICATES", "").split(",")
    if entry.strip()
]
# Check documents and rules of each case when it is submitted or gets a new document.
LEVIER_CONTROLS_ON_SUBMISSION = env_bool("LEVIER_CONTROLS_ON_SUBMISSION", True)
# Hours between two scheduled scorings of each procedure by `levier watch`.
LEVIER_CONTROLS_SCORE_EVERY_HOURS = int(os.environ.get("LEVIER_CONTROLS_SCORE_EVERY_HOURS", "24"))

# A task row "running" for longer than this is a worker that died: `levier watch` marks it
# failed (see core.services.task_results_recover_stale). Above the longest task's run time.
LEVIER_TASKS_STALE_AFTER_MINUTES = int(os.environ.get("LEVIER_TASKS_STALE_AFTER_MINUTES", "60"))
# How far back `levier watch` looks for journal events whose automation was never queued.
LEVIER_AUTOMATION_SWEEP_HOURS = int(os.environ.get("LEVIER_AUTOMATION_SWEEP_HOURS", "24"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get("LEVIER_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "email"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LEVIER_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint and fontTools log every layout step and font subset at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# HTTPS, behind the reverse proxy that terminates TLS. LEVIER_HTTPS=true is the production
# switch: secure cookies, redirect to HTTPS, HSTS for a year; each part can be set apart.
# Off by default: the demo is served over plain HTTP on the loopback.
LEVIER_HTTPS = env_bool("LEVIER_HTTPS", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("LEVIER_SECURE_COOKIES", LEVIER_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("LEVIER_SSL_REDIRECT", LEVIER_HTTPS)
SECURE_HSTS_SECONDS = int(
    os.environ.get("LEVIER_HSTS_SECONDS", "31536000" if LEVIER_HTTPS else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("LEVIER_HSTS_INCLUDE_SUBDOMAINS", LEVIER_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("LEVIER_HSTS_PRELOAD", LEVIER_HTTPS)
# The proxy says the request came over HTTPS (it must overwrite the header a client sends).
if env_bool("LEVIER_TRUST_X_FORWARDED_PROTO", LEVIER_HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No page is framed, by another site or by levier itself; the one response made to be
# shown in levier's own frame (a document's preview) sets its own X-Frame-Options and
# Content-Security-Policy, which the middlewares leave as they are.
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response: scripts, styles, images and fonts
# from levier's own origin only (no inline script or style attribute: static files instead).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Privacy of the journal and retention (docs/rgpd.md). A payload breaking the identifiers-only
# policy (journal.payload_policy) is refused when strict (debug and tests), else its offending
# keys are dropped and logged. Durations in days; `levier purge` applies them.
JOURNAL_PAYLOAD_STRICT = env_bool("LEVIER_JOURNAL_PAYLOAD_STRICT", DEBUG)
LEVIER_RETENTION_CLOSED_CASES_DAYS = int(
    os.environ.get("LEVIER_RETENTION_CLOSED_CASES_DAYS", "1825")
)
LEVIER_RETENTION_CLOSED_ENQUIRIES_DAYS = int(
    os.environ.get("LEVIER_RETENTION_CLOSED_ENQUIRIES_DAYS", "730")
)
LEVIER_RETENTION_INBOUND_MAIL_DAYS = int(os.environ.get("LEVIER_RETENTION_INBOUND_MAIL_DAYS", "90"))
LEVIER_RETENTION_QUARANTINE_DAYS = int(os.environ.get("LEVIER_RETENTION_QUARANTINE_DAYS", "30"))
LEVIER_RETENTION_EVENT_DETAILS_DAYS = int(
    os.environ.get("LEVIER_RETENTION_EVENT_DETAILS_DAYS", "365")
)

# Exports of lists (insights.exports, docs/insights.md): up to this many rows stream in the
# response; more run as a background task whose file is kept this many days under VAR_DIR.
LEVIER_EXPORT_INLINE_ROWS = int(os.environ.get("LEVIER_EXPORT_INLINE_ROWS", "5000"))
LEVIER_EXPORT_RETENTION_DAYS = int(os.environ.get("LEVIER_EXPORT_RETENTION_DAYS", "2"))
LEVIER_EXPORT_DIR = Path(os.environ.get("LEVIER_EXPORT_DIR", VAR_DIR / "exports"))
