"""Settings shared by every run mode, read from the environment through django-environ."""

import datetime
import os
import re
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONCE as CSP_NONCE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"


class SettingsEnv(environ.Env):
    """Reads a copy of the environment, so values from .env reach the settings only and are not
    passed on to the processes this one starts."""

    ENVIRON = dict(os.environ)


env = SettingsEnv()
# A .env file fills in what the environment leaves unset; processes started by the tests with a
# chosen environment turn it off.
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=True) and (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")


DATABASE_SCHEMES = ("postgres", "postgresql", "pgsql", "sqlite")


def redacted(url):
    """The URL with its password masked, safe to print in an error message."""
    try:
        parts = urlsplit(url)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
            return parts._replace(netloc=netloc).geturl()
    except ValueError:
        return "(unparseable)"
    return url


def env_url(name, parse, default):
    """Parse a URL variable, turning any failure into one line that names the variable."""
    raw = env.str(name, default=default)
    try:
        with warnings.catch_warnings():
            # django-environ warns before failing on an unknown scheme; the error below says it.
            warnings.simplefilter("ignore")
            parsed = parse(raw)
    except (ImproperlyConfigured, ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"{name} is not valid ({redacted(raw)!r}): {exc}") from None
    return parsed


def env_int(name, default):
    """An integer variable; a value that is not a whole number stops start-up naming it."""
    try:
        return env.int(name, default=default)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {env.str(name)!r}"
        ) from None


def parse_database_url(raw):
    scheme, separator, _ = raw.partition("://")
    if not separator or scheme not in DATABASE_SCHEMES:
        raise ImproperlyConfigured("use postgres://USER:PASSWORD@HOST:PORT/NAME or sqlite:///PATH")
    config = environ.Env.db_url_config(raw)
    if config["ENGINE"] != "django.db.backends.sqlite3" and not config.get("NAME"):
        raise ImproperlyConfigured("the database name is missing")
    return config


def parse_redis_url(raw):
    if raw and not raw.startswith(("redis://", "rediss://")):
        raise ImproperlyConfigured("use redis://HOST:PORT/DB or rediss:// for TLS")
    return raw


# ------------------------------------------------------------------------------ core
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ------------------------------------------------------------------------------ time
TIME_ZONE = env.str("TIME_ZONE", default="America/New_York")
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = False
# Dates for people read "16 Jan 2027" everywhere (config/formats/en/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]

# ------------------------------------------------------------------------------ apps
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
]
THIRD_PARTY_APPS = [
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_celery_beat",
    "simple_history",
    "bootstrap",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "import_export",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]
LOCAL_APPS = [
    "core",
    "skills",
    "clients",
    "agreements",
    "agreements.coverage",
    "agreements.planning",
    "agreements.imports",
    "agreements.api",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.IdleSessionMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "core.middleware.ReadOnlyUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the page that explains it.
    "axes.middleware.AxesMiddleware",
]

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
                "csp.context_processors.nonce",
            ],
        },
    }
]

# Widgets render with the project's templates too (templates/core/widgets/); Django's own widgets
# from their Jinja2 versions (core/renderers.py).
FORM_RENDERER = "core.renderers.TemplatesWithJinja2Widgets"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# ------------------------------------------------------------------------------ database
DATABASES = {
    "default": env_url(
        "DATABASE_URL", parse_database_url, default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# ------------------------------------------------------------------------------ auth
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out username and address before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "coverage:dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Logins: after AXES_FAILURE_LIMIT wrong passwords for one username from one address, that pair
# is locked out for AXES_COOLOFF_MINUTES (app login and admin login alike).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Password reset: at most so many requests per hour from one address and for one email address.
PASSWORD_RESET_RATE_LIMIT = env_int("PASSWORD_RESET_RATE_LIMIT", default=5)
PASSWORD_RESET_RATE_WINDOW_SECONDS = 3600
# Sessions end after SESSION_IDLE_MINUTES without a request, or when the browser closes.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", default=480)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)
# Two-factor authentication (django-otp): the issuer shown by authenticator apps.
OTP_TOTP_ISSUER = "Covered"

# ------------------------------------------------------------------------------ security headers
# Every asset is served by the app itself: no inline script or style, no other origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", CSP_NONCE],
        "style-src": ["'self'", CSP_NONCE],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features the app never uses, denied to every page.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

# ------------------------------------------------------------------------------ static files
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded import files live in the default storage, which the web and the worker processes
# share (a folder both mount, or an object store).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# ------------------------------------------------------------------------------ email
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Covered <covered@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=10)
EMAIL_SUBJECT_PREFIX = "[Covered] "
if env.str("EMAIL_URL", default=""):
    vars().update(env_url("EMAIL_URL", environ.Env.email_url_config, default=""))
elif env.str("EMAIL_HOST", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# ------------------------------------------------------------------------------ celery
REDIS_URL = env_url("REDIS_URL", parse_redis_url, default="")
# Seconds a web request waits for the broker before saying the queue is unavailable.
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", default=1)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 24 * 60 * 60
# A task that runs longer is stopped: first a SoftTimeLimitExceeded it may clean up after, then
# the worker process is killed.
CELERY_TASK_SOFT_TIME_LIMIT = 5 * 60
CELERY_TASK_TIME_LIMIT = 6 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # Redis redelivers unacknowledged tasks after this; longer than any task's hard limit.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    }
else:
    # A broker that needs no server: kombu's filesystem transport, shared by web, worker and beat.
    CELERY_BROKER_URL = "filesystem://localhost//"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        "control_folder": str(VAR_DIR / "broker" / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{VAR_DIR / 'broker' / 'results'}"

# ------------------------------------------------------------------------------ cache
# Shared by every web process through Redis (the password reset limits count there); a local
# memory cache in the embedded default, which runs one web process.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ------------------------------------------------------------------------------ imports
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_MEGABYTES", default=10) * 1024 * 1024
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", default=50_000)
# Files with more rows are previewed and imported by the worker, with a progress bar.
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", default=1_000)
# How "03/04/2026" is read until the user says otherwise: "mdy" (month first) or "dmy".
IMPORT_DATE_ORDER = env.str("IMPORT_DATE_ORDER", default="mdy")
if IMPORT_DATE_ORDER not in ("mdy", "dmy"):
    raise ImproperlyConfigured(f"IMPORT_DATE_ORDER must be mdy or dmy, not {IMPORT_DATE_ORDER!r}")

# ------------------------------------------------------------------------------ coverage
COVERAGE_WARNING_DAYS = env_int("COVERAGE_WARNING_DAYS", default=60)
COVERAGE_MIN_TECHNICIANS = env_int("COVERAGE_MIN_TECHNICIANS", default=2)
COVERAGE_REPORT_TIME = env.str("COVERAGE_REPORT_TIME", default="02:00")
# Per-agreement and per-requirement details of older checks are pruned; figures and report
# sections are kept for good.
COVERAGE_CHECK_RETENTION_DAYS = env_int("COVERAGE_CHECK_RETENTION_DAYS", default=400)
# A what-if is kept in the cache for its next pages and users until coverage data changes, the
# day does, or this many seconds pass (names shown in its lists may change meanwhile).
WHAT_IF_CACHE_SECONDS = env_int("WHAT_IF_CACHE_SECONDS", default=600)
# A worker that takes up the nightly run holds it this long; one that dies gives it up then, and
# the sweep (every COVERAGE_SWEEP_MINUTES) queues the run again, at most so many times.
COVERAGE_RUN_LEASE_MINUTES = env_int("COVERAGE_RUN_LEASE_MINUTES", default=15)
# When set, stands in for the minutes: the fault tests let a lease run out in seconds.
COVERAGE_RUN_LEASE_SECONDS = env_int("COVERAGE_RUN_LEASE_SECONDS", default=None)
COVERAGE_SWEEP_MINUTES = env_int("COVERAGE_SWEEP_MINUTES", default=15)
COVERAGE_RUN_MAX_ATTEMPTS = env_int("COVERAGE_RUN_MAX_ATTEMPTS", default=10)
# Database and broker errors of the nightly tasks are retried after base, 2 × base … seconds,
# capped at COVERAGE_TASK_RETRY_MAX_SECONDS, at most COVERAGE_TASK_MAX_RETRIES times.
COVERAGE_TASK_RETRY_BASE_SECONDS = env_int("COVERAGE_TASK_RETRY_BASE_SECONDS", default=10)
COVERAGE_TASK_RETRY_MAX_SECONDS = env_int("COVERAGE_TASK_RETRY_MAX_SECONDS", default=300)
COVERAGE_TASK_MAX_RETRIES = env_int("COVERAGE_TASK_MAX_RETRIES", default=10)
# A failed report email is retried after base, 2 × base, 4 × base … seconds, at most this often.
COVERAGE_EMAIL_RETRY_BASE_SECONDS = env_int("COVERAGE_EMAIL_RETRY_BASE_SECONDS", default=120)
COVERAGE_EMAIL_MAX_RETRIES = env_int("COVERAGE_EMAIL_MAX_RETRIES", default=5)
if COVERAGE_WARNING_DAYS < 0:
    raise ImproperlyConfigured("COVERAGE_WARNING_DAYS must be 0 or more days")
for _name in (
    "COVERAGE_RUN_LEASE_MINUTES",
    "COVERAGE_SWEEP_MINUTES",
    "COVERAGE_RUN_MAX_ATTEMPTS",
    "COVERAGE_TASK_RETRY_BASE_SECONDS",
    "COVERAGE_TASK_RETRY_MAX_SECONDS",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1")
if COVERAGE_RUN_LEASE_SECONDS is not None and COVERAGE_RUN_LEASE_SECONDS < 1:
    raise ImproperlyConfigured("COVERAGE_RUN_LEASE_SECONDS must be at least 1 when set")
if WHAT_IF_CACHE_SECONDS < 0:
    raise ImproperlyConfigured("WHAT_IF_CACHE_SECONDS must be 0 or more seconds")
if COVERAGE_CHECK_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("COVERAGE_CHECK_RETENTION_DAYS must be at least 1")
if COVERAGE_MIN_TECHNICIANS < 1:
    raise ImproperlyConfigured("COVERAGE_MIN_TECHNICIANS must be at least 1")
if COVERAGE_EMAIL_RETRY_BASE_SECONDS < 1:
    raise ImproperlyConfigured("COVERAGE_EMAIL_RETRY_BASE_SECONDS must be at least 1")
if COVERAGE_EMAIL_MAX_RETRIES < 0:
    raise ImproperlyConfigured("COVERAGE_EMAIL_MAX_RETRIES must be 0 or more")
try:
    datetime.datetime.strptime(COVERAGE_REPORT_TIME, "%H:%M")
except ValueError:
    raise ImproperlyConfigured(
        f"COVERAGE_REPORT_TIME must be HH:MM in 24-hour time, not {COVERAGE_REPORT_TIME!r}"
    ) from None

# ------------------------------------------------------------------------------ reminders
# Reminder emails go out this many days before a notice deadline, a certification expiry or a
# training goal's due date, once per lead time, at REMINDER_TIME (TIME_ZONE) every day.
_lead_days = env.str("REMINDER_LEAD_DAYS", default="90,30,7")
try:
    REMINDER_LEAD_DAYS = sorted({int(part) for part in _lead_days.split(",") if part.strip()})
except ValueError:
    raise ImproperlyConfigured(
        f"REMINDER_LEAD_DAYS must be whole days separated by commas, not {_lead_days!r}"
    ) from None
if not REMINDER_LEAD_DAYS or REMINDER_LEAD_DAYS[0] < 1:
    raise ImproperlyConfigured("REMINDER_LEAD_DAYS must list at least one lead time of 1+ days")
REMINDER_TIME = env.str("REMINDER_TIME", default="07:00")
try:
    datetime.datetime.strptime(REMINDER_TIME, "%H:%M")
except ValueError:
    raise ImproperlyConfigured(
        f"REMINDER_TIME must be HH:MM in 24-hour time, not {REMINDER_TIME!r}"
    ) from None

# ------------------------------------------------------------------------------ api
# /api/v1/: personal tokens (stored hashed, agreements.ApiToken) or the browser's session; the
# same roles as the pages (agreements/api/permissions.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "agreements.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["agreements.api.permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "agreements.api.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "agreements.api.throttling.TokenRateThrottle",
        "agreements.api.throttling.SessionRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("API_TOKEN_RATE", default="1200/hour"),
        "session": env.str("API_SESSION_RATE", default="1200/hour"),
        "anon": env.str("API_ANONYMOUS_RATE", default="60/hour"),
    },
    "DEFAULT_SCHEMA_CLASS": "agreements.api.schema.CoveredAutoSchema",
    "EXCEPTION_HANDLER": "agreements.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DATE_INPUT_FORMATS": ["iso-8601"],
    "COERCE_DECIMAL_TO_STRING": True,
}
for _name, _rate in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].items():
    if not re.fullmatch(r"[1-9]\d*/(s|sec|second|m|min|minute|h|hour|d|day)", _rate):
        raise ImproperlyConfigured(
            f"API_{_name.upper()}_RATE must be a number of requests per second, minute, hour "
            f"or day, e.g. 1200/hour, not {_rate!r}"
        )
KNOX_TOKEN_MODEL = "agreements.ApiToken"
# django-rest-knox's own token table is never made: agreements.ApiToken stands in for it.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    # Tokens last until they are revoked unless their user gives them an expiry.
    "TOKEN_TTL": None,
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_PREFIX": "cov_",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Covered API",
    "DESCRIPTION": (
        "Clients, technicians, the catalog, agreements and their recorded coverage, with the "
        "same roles as the web app. Authenticate with a personal token: "
        "`Authorization: Token <token>`."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name for each choice set that several fields use (skill levels, the statuses).
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "skills.models.Level",
        "AgreementStatusEnum": "agreements.models.Agreement.Status",
        "ClientStatusEnum": "clients.models.Client.Status",
        "CoverageStatusEnum": "agreements.coverage.models.CoverageStatus",
        "FlagStatusEnum": "agreements.coverage.models.CoverageFlag.Status",
        "CheckRequestStatusEnum": "agreements.coverage.models.CoverageCheckRequest.Status",
    },
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}
# Webhook URLs may point at private or loopback addresses only where this is true (the tests).
WEBHOOK_ALLOW_PRIVATE_HOSTS = env.bool("WEBHOOK_ALLOW_PRIVATE_HOSTS", default=False)
# Each webhook delivery is one POST that waits at most WEBHOOK_TIMEOUT_SECONDS for the receiver
# to connect and for each read. A failed one (no 2xx answer) is tried again after base, 2 × base,
# 4 × base … seconds, capped at WEBHOOK_RETRY_MAX_SECONDS, WEBHOOK_MAX_ATTEMPTS attempts in all.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", default=5)
WEBHOOK_RETRY_BASE_SECONDS = env_int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_RETRY_MAX_SECONDS = env_int("WEBHOOK_RETRY_MAX_SECONDS", default=900)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", default=6)
# Deliveries wait in a queue of their own, served by a worker of its own (`celery worker -Q
# webhooks`, see docker-compose.yml), so that receivers that hang never hold up the nightly run
# and its report on the main worker. "celery" puts them in the main queue instead.
WEBHOOK_QUEUE = env.str("WEBHOOK_QUEUE", default="webhooks")
CELERY_TASK_ROUTES = {"agreements.api.deliver_webhook": {"queue": WEBHOOK_QUEUE}}
for _name in (
    "WEBHOOK_TIMEOUT_SECONDS",
    "WEBHOOK_RETRY_BASE_SECONDS",
    "WEBHOOK_RETRY_MAX_SECONDS",
    "WEBHOOK_MAX_ATTEMPTS",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1")
# A retry waiting longer than Redis's visibility timeout would be handed out twice.
if WEBHOOK_RETRY_MAX_SECONDS >= 3600:
    raise ImproperlyConfigured("WEBHOOK_RETRY_MAX_SECONDS must be less than 3600 (an hour)")
if not WEBHOOK_QUEUE:
    raise ImproperlyConfigured("WEBHOOK_QUEUE must name a queue")

# ------------------------------------------------------------------------------ health
# /health/ calls the worker stale when its heartbeat (every minute) is older than this, and the
# nightly run stale when the last one finished longer ago.
HEALTH_WORKER_MAX_AGE_SECONDS = env_int("HEALTH_WORKER_MAX_AGE_SECONDS", default=300)
HEALTH_NIGHTLY_MAX_AGE_SECONDS = env_int("HEALTH_NIGHTLY_MAX_AGE_SECONDS", default=26 * 3600)

# ------------------------------------------------------------------------------ logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
