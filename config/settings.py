"""maca settings: one module, read from environment variables (documented in .env.example).

Missing secrets fail at start-up, except for the demo and the commands that need no
environment (`maca evaluate`, `maca check-disclosure`, `--help`), which `maca.cli` flags.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no variable; accepts 1/0, true/false, yes/no, on/off."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Set by maca.cli for `maca demo` and for commands that never touch secrets.
RELAXED = os.environ.get("MACA_RELAXED_ENV", "") in {"demo", "no-env"}
# Under pytest the suite builds its own throwaway databases.
TESTING = os.environ.get("MACA_TESTING") == "1" or "pytest" in sys.modules

DEBUG = env_bool("MACA_DEBUG", False)
DATA_DIR = Path(os.environ.get("MACA_DATA_DIR", str(BASE_DIR / "var"))).resolve()

_secret = os.environ.get("MACA_SECRET_KEY", "")
if not _secret:
    if DEBUG or TESTING or RELAXED:
        _secret = "maca-insecure-development-key-not-for-production-use-0123456789"  # noqa: S105 - development only  # nosec B105
    else:
        raise ImproperlyConfigured(
            "MACA_SECRET_KEY is not set. Set it to a long random value (see .env.example)."
        )
SECRET_KEY = _secret
# Earlier secret keys, comma-separated, while rotating: what they signed (sessions, recovery
# codes) keeps working until they are removed.
SECRET_KEY_FALLBACKS = [
    key.strip() for key in os.environ.get("MACA_SECRET_KEY_FALLBACKS", "").split(",") if key.strip()
]

# Keys the hash that pseudonymises council child IDs. It must never change for a deployment.
PSEUDONYM_KEY = os.environ.get("MACA_PSEUDONYM_KEY", "")
if not PSEUDONYM_KEY and (DEBUG or TESTING or os.environ.get("MACA_RELAXED_ENV") == "demo"):
    PSEUDONYM_KEY = "maca-development-pseudonym-key"  # the demo's fixed key; never for real data
BACKUP_KEY = os.environ.get("MACA_BACKUP_KEY", "")
# Retention (`maca purge`; maca/core/retention.py, docs/security.md "Logs and retention").
MACA_RETENTION = {
    "access_log_years": int(os.environ.get("MACA_RETAIN_ACCESS_LOG_YEARS", "2")),
    "activity_log_years": int(os.environ.get("MACA_RETAIN_ACTIVITY_LOG_YEARS", "6")),
    "case_data_years": int(os.environ.get("MACA_RETAIN_CASE_DATA_YEARS", "2")),
    "pool_years": int(os.environ.get("MACA_RETAIN_POOL_YEARS", "3")),
    "job_files_days": int(os.environ.get("MACA_RETAIN_JOB_FILES_DAYS", "30")),
    "restore_leftovers_days": int(os.environ.get("MACA_RETAIN_RESTORE_LEFTOVERS_DAYS", "30")),
}

ALLOWED_HOSTS = env_list("MACA_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "maca.core",
    "maca.accounts",
    "maca.activity",
    "maca.partnerships",
    "maca.audits",
    "maca.returns",
    "maca.moderation",
    "maca.chronology",
    "maca.sampling",
    "maca.findings",
    "maca.jobs",
    "maca.briefings",
    "maca.actions",
    "maca.insight",
    "maca.api",
]

# Order matters: the header middleware wraps everything (so redirects carry the headers too);
# the second-factor and session-lifetime checks run once the user and messages are known;
# django-axes goes last, as its documentation asks.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Holds the access-log entries of a request; the session store writes them with the
    # session in one commit (maca.accounts.sessions).
    "maca.activity.middleware.AccessLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "maca.api.middleware.ApiIgnoresSessionMiddleware",  # /api/ is token-only
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "maca.accounts.middleware.SessionLifetimeMiddleware",
    "maca.accounts.middleware.SecondFactorMiddleware",
    "maca.core.middleware.ActorMiddleware",
    "maca.core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "maca" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "maca.core.context_processors.navigation",
            ],
        },
    },
]

_database_url = os.environ.get("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "maca.sqlite3"),
            # WAL + synchronous=FULL: no acknowledged save is lost on power failure.
            # IMMEDIATE transactions + timeout: concurrent writers queue instead of
            # failing with "database is locked".
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }

# Explicit, so migrations agree across Django versions.
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "partnerships.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
# django-axes checks every sign-in before Django's own backend (see "Lockout" below).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j F Y"

STATIC_URL = "/static/"
STATIC_ROOT: Path | None = Path(os.environ.get("MACA_STATIC_ROOT", str(DATA_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "maca" / "static"]
MEDIA_ROOT = DATA_DIR / "uploads"
# Pool uploads larger than this run as a background job with progress on the page (`maca
# worker`, or the worker thread `maca demo` starts); smaller ones are imported at once.
MACA_IMPORT_INLINE_MAX_BYTES = int(os.environ.get("MACA_IMPORT_INLINE_MAX_BYTES", "2000000"))
# Clean single Annex A list CSVs up to this size are read a column at a time (polars), in
# batches, but holding every row's normalised values (0.7 GiB peak for a million rows, 100 MB);
# bigger files stream row by row.
MACA_IMPORT_COLUMNAR_MAX_BYTES = int(os.environ.get("MACA_IMPORT_COLUMNAR_MAX_BYTES", "150000000"))
# The largest case-pool file accepted at all (.csv, .txt, .xlsx or .xml; default 500 MB).
MACA_POOL_UPLOAD_MAX_BYTES = int(os.environ.get("MACA_POOL_UPLOAD_MAX_BYTES", "500000000"))
_manifest = not (DEBUG or TESTING or os.environ.get("MACA_RELAXED_ENV") == "demo")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if _manifest
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# The demo and tests serve straight from the source folders; production serves collectstatic.
WHITENOISE_USE_FINDERS = not _manifest
if not _manifest:
    STATIC_ROOT = None
WHITENOISE_AUTOREFRESH = DEBUG

# Production unless running the demo, the tests or with MACA_DEBUG.
PRODUCTION = not (DEBUG or RELAXED or TESTING)

# Sessions (docs/adr/0006): 30 minutes idle (renewed on every request), 12 hours at most
# from signing in (maca.accounts.middleware.SessionLifetimeMiddleware), and gone when the
# browser closes.
SESSION_IDLE_MINUTES = int(os.environ.get("MACA_SESSION_IDLE_MINUTES", "30"))
SESSION_ABSOLUTE_HOURS = int(os.environ.get("MACA_SESSION_ABSOLUTE_HOURS", "12"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ENGINE = "maca.accounts.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("MACA_SECURE_SSL_REDIRECT", PRODUCTION)
# Cookies are Secure and HSTS is sent in production even when a proxy does the HTTPS redirect.
SESSION_COOKIE_SECURE = PRODUCTION or SECURE_SSL_REDIRECT
CSRF_COOKIE_SECURE = PRODUCTION or SECURE_SSL_REDIRECT
SECURE_HSTS_SECONDS = 31536000 if SESSION_COOKIE_SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SESSION_COOKIE_SECURE
SECURE_HSTS_PRELOAD = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): only our own files, no inline script or style, no
# framing, forms post only to us. Templates hold no inline script; init.js does the rest.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Second factor (maca.accounts; docs/security.md). Every account that can see case-level
# data (business unit, panel chair, agency auditor) signs in with an authenticator app code
# or a recovery code. Viewers see only published briefings and aggregate figures, so a
# partnership may let them sign in with a password alone (the default).
MFA_EXEMPT_VIEWERS = env_bool("MACA_MFA_EXEMPT_VIEWERS", True)
MFA_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = os.environ.get("MACA_OTP_ISSUER", "maca")
# Re-authentication for sensitive actions (maca.core.reauth): minutes a confirmation lasts.
REAUTH_MAX_AGE_MINUTES = 15

# Lockout (django-axes): 10 failed sign-ins for one username, or from one address, lock that
# username or address for 5 minutes (Cyber Essentials: at most 10 guesses in 5 minutes).
# Failures older than the cool-off are forgotten; a successful sign-in clears them.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = dt.timedelta(minutes=5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "maca.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "maca.accounts.client.client_ip"
# Axes would otherwise write usernames and addresses into the application log.
AXES_CLIENT_STR_CALLABLE = "maca.accounts.client.client_str"
AXES_VERBOSE = False
# How many proxies you run in front of maca that append to X-Forwarded-For (0: none; the
# client address is then the connection's). Lockout by address needs the real client address.
PROXY_COUNT = int(os.environ.get("MACA_PROXY_COUNT", "0"))

EMAIL_BACKEND = os.environ.get(
    "MACA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("MACA_FROM_EMAIL", "maca@localhost")
EMAIL_HOST = os.environ.get("MACA_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("MACA_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("MACA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("MACA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("MACA_EMAIL_USE_TLS", False)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Application logs never carry identifiers: only codes and database ids.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MACA_LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools narrate every layout step at INFO, django-axes every sign-in:
    # keep only their problems (axes' failures and lockouts are warnings).
    "loggers": {
        "django.server": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

if TESTING:
    # Fast hashing keeps the suite quick; production keeps Django's PBKDF2 default.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
