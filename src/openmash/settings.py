"""Django settings for OpenMASH.

Everything that differs between a laptop demo and production comes from the environment:
DATABASE_URL chooses the database (default: the SQLite file under var/), DATABASE_REPLICA_URL
adds a read replica for reports, OPENMASH_DEBUG switches on debug pages, OPENMASH_SECRET_KEY
must be set outside DEBUG. docs/deploy.md shows a production set-up.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("OPENMASH_VAR_DIR", PROJECT_DIR / "var"))


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_flag("OPENMASH_DEBUG")
_secret = os.environ.get("OPENMASH_SECRET_KEY")
if not _secret:
    if not DEBUG and not _env_flag("OPENMASH_DEMO"):
        raise RuntimeError("OPENMASH_SECRET_KEY must be set unless OPENMASH_DEBUG or OPENMASH_DEMO is on")
    # Demo and development only: a fixed key so sessions survive restarts of `make run`.
    _secret = "insecure-demo-key-never-used-in-production-" + "x" * 20
SECRET_KEY = _secret

ALLOWED_HOSTS = [h for h in os.environ.get("OPENMASH_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "openmash.web.admin_site.OpenMASHAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Django's own widget templates, for FORM_RENDERER below.
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "auditlog",
    "django_tasks_db",
    "openmash.core",
    "openmash.accounts",
    "openmash.access",
    "openmash.people",
    "openmash.workforce",
    "openmash.front_door",
    "openmash.front_door.api",
    "openmash.casework",
    "openmash.protection",
    "openmash.journey",
    "openmash.performance",
    "openmash.returns",
    "openmash.improvement",
    "openmash.scrutiny",
    "openmash.demo",
    "openmash.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Every page needs a signed-in user unless its view says otherwise (sign-in pages).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "openmash.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "openmash.access.middleware.ChangeHistoryMiddleware",
    # Pages show personal data: no browser or proxy may keep a copy.
    "openmash.web.middleware.no_store",
    "openmash.web.middleware.HostileInputMiddleware",
    # Last, so it sees the final response of a failed sign-in.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "openmash.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openmash.web.context_processors.navigation",
                "openmash.accounts.context_processors.session_timeout",
            ],
        },
    },
]

# Widgets render through the project's templates too (the GOV.UK date input in templates/includes/govuk/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

WSGI_APPLICATION = "openmash.wsgi.application"

DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'openmash.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), conn_max_age=60, conn_health_checks=True
    )
}
# A read replica (a PostgreSQL hot standby) for reports and KPIs. Only reads that ask for it go there
# (openmash.core.routers); writes, sign-in and the audit trail always use the primary.
_replica_url = os.environ.get("DATABASE_REPLICA_URL")
if _replica_url:
    DATABASES["replica"] = dj_database_url.parse(_replica_url, conn_max_age=60, conn_health_checks=True)
    # Tests use the primary's test database for it, as a replica with no lag.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# The database alias reports and KPIs read from.
OPENMASH_REPORTING_DATABASE = "replica" if _replica_url else "default"
DATABASE_ROUTERS = ["openmash.core.routers.ReportingRouter"]
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.sqlite3":
        # WAL and a busy timeout let several server processes and the task worker share the file.
        _database["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        _database["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses sign-in while an account is locked out
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:sign_in"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Production (`make serve`) collects the static files into STATIC_ROOT first: WhiteNoise then serves
# them compressed, under names carrying a hash of their content, cached for a year. Development and
# tests serve straight from the app folders, with no collectstatic step.
STATIC_COLLECTED = _env_flag("OPENMASH_STATIC_COLLECTED")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_COLLECTED
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not STATIC_COLLECTED
WHITENOISE_AUTOREFRESH = DEBUG

# Background tasks (django.tasks) are stored in the database and run by `openmash db_worker`.
# The test suite switches to the immediate backend (tests/conftest.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# After each change to a child's statutory record, check that child against the CIN census rules in the
# background (openmash.returns.quality). The test suite turns it off (tests/conftest.py).
OPENMASH_DATA_QUALITY_ON_CHANGE = _env_flag("OPENMASH_DATA_QUALITY_ON_CHANGE", True)

# Security headers. HTTPS settings are on unless running the local demo over plain HTTP.
_https = not _env_flag("OPENMASH_INSECURE_HTTP")
SESSION_COOKIE_SECURE = _https
CSRF_COOKIE_SECURE = _https
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Signed out after 30 minutes idle: every request renews the session, and pages warn two minutes
# before it ends with a way to stay signed in.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_WARNING_SECONDS = 2 * 60
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind a reverse proxy that ends TLS: the header it sets to say the request came over HTTPS
# (e.g. X-Forwarded-Proto). Only set it when the proxy always sets or overwrites that header.
_proxy_header = os.environ.get("OPENMASH_PROXY_SSL_HEADER", "").strip()
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https")
if _https:
    SECURE_SSL_REDIRECT = _env_flag("OPENMASH_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# Two-factor sign-in (TOTP). The issuer names the service in authenticator apps.
OTP_TOTP_ISSUER = "OpenMASH"
# Accept a code one step either side of ours (TOTPDevice.tolerance 1), but never let an early or late code
# shift the device's clock ("drift"): the window would move and a correct code later be refused.
OTP_TOTP_SYNC = False

# Lock out after 5 failed sign-ins for the same username from the same address, for 15 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Never keep what was typed as a password or code in the failure records.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]

# `flush` empties every table, the audit trail included: refused unless the test suite sets this
# (tests/conftest.py), since Django's test machinery flushes between tests that commit.
OPENMASH_ALLOW_FLUSH = False

# Change history: who changed what, with old and new values, in the same transaction as the change.
AUDITLOG_INCLUDE_ALL_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPENMASH_LOG_LEVEL", "WARNING")},
}

# The local authority this installation serves. The demo borough uses a made-up code.
OPENMASH_LA_CODE = os.environ.get("OPENMASH_LA_CODE", "999")
OPENMASH_LA_NAME = os.environ.get("OPENMASH_LA_NAME", "Demo Borough Council")

# The demo switch: allows demo accounts. Never set it in production.
OPENMASH_DEMO = _env_flag("OPENMASH_DEMO")

# Children aged 0-17 in the authority (ONS mid-year estimate), the denominator of rates per 10,000.
OPENMASH_CHILD_POPULATION = int(os.environ.get("OPENMASH_CHILD_POPULATION", "45000"))
# How long after a MASH contact MASH practitioners keep sight of the child.
OPENMASH_MASH_RECENT_DAYS = int(os.environ.get("OPENMASH_MASH_RECENT_DAYS", "30"))

# The public "report a concern" form: at most this many reports from one client address in the window
# (counted in the database, so every server process shares the count), and the phone number it gives.
OPENMASH_REPORT_LIMIT = int(os.environ.get("OPENMASH_REPORT_LIMIT", "5"))
OPENMASH_REPORT_WINDOW = dt.timedelta(seconds=int(os.environ.get("OPENMASH_REPORT_WINDOW_SECONDS", "3600")))
OPENMASH_FRONT_DOOR_PHONE = os.environ.get("OPENMASH_FRONT_DOOR_PHONE", "01632 960000")
# Behind a reverse proxy every request comes from the proxy: name the header it sets to the client's
# address (e.g. X-Forwarded-For, which the proxy must overwrite, not append to) so each client is counted
# on its own. Unset, the connection's own address is used.
OPENMASH_CLIENT_ADDRESS_HEADER = os.environ.get("OPENMASH_CLIENT_ADDRESS_HEADER", "").strip()
# Drafts of long forms (personal data) are kept this long after they were last saved.
OPENMASH_DRAFT_DAYS = int(os.environ.get("OPENMASH_DRAFT_DAYS", "30"))
# How often children on plans are visited, in working days, unless a plan says otherwise (local standards).
OPENMASH_CP_VISIT_WORKING_DAYS = int(os.environ.get("OPENMASH_CP_VISIT_WORKING_DAYS", "10"))
OPENMASH_CIN_VISIT_WORKING_DAYS = int(os.environ.get("OPENMASH_CIN_VISIT_WORKING_DAYS", "20"))
# Requests a minute each partner API token may make (0: no limit); see docs/api.md.
OPENMASH_API_REQUESTS_PER_MINUTE = int(os.environ.get("OPENMASH_API_REQUESTS_PER_MINUTE", "120"))
# The environment DfE's census validation rules run in (built by `make env`; see docs/returns.md).
OPENMASH_CIN_RULES_ENV = Path(os.environ.get("OPENMASH_CIN_RULES_ENV", PROJECT_DIR / ".venv-cin"))
