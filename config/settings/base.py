"""Settings shared by every run mode, read from the environment through django-environ.

env.py reads and checks every value; the topics with settings of their own (security, email,
Celery, imports, coverage, the API) have a module each, gathered here."""

from config.settings.api import *  # noqa: F403
from config.settings.celery import *  # noqa: F403
from config.settings.celery import CELERY_BROKER_CONNECTION_TIMEOUT, REDIS_URL
from config.settings.connectors import *  # noqa: F403
from config.settings.coverage import *  # noqa: F403
from config.settings.email import *  # noqa: F403
from config.settings.env import BASE_DIR, VAR_DIR, env
from config.settings.imports import *  # noqa: F403
from config.settings.security import *  # noqa: F403

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
# The nightly jobs and reminders are scheduled on the clock the pages show.
CELERY_TIMEZONE = TIME_ZONE

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
    # django-celery-beat, django-axes and django-otp's devices, with the admin section names of
    # core/third_party_apps.py.
    "core.third_party_apps.ScheduledJobsConfig",
    "simple_history",
    "bootstrap",
    "core.third_party_apps.LoginAttemptsConfig",
    "django_otp",
    "core.third_party_apps.AuthenticatorAppsConfig",
    "core.third_party_apps.RecoveryCodesConfig",
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
    "agreements.connectors",
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
    "core.middleware.SignedInNotStoredMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "core.middleware.ReadOnlyUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "agreements.coverage.middleware.ChangeImpactMiddleware",
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
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# ------------------------------------------------------------------------------ static files
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded import files live in the default storage, which the web and the worker processes
# share (a folder both mount, or an object store).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
MEDIA_URL = "/media/"
# Technicians' evidence files: outside the web root, served only by a view that checks who asks.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
# A proposal's evidence file: PDF, PNG or JPEG (checked from its content), at most this size.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=5 * 1024 * 1024)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# ------------------------------------------------------------------------------ cache
# Shared by every web process through Redis (the password reset limits count there); a local
# memory cache in the embedded default, which runs one web process.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            # The broker's URL as it is: env.cache_url() would move a query string into OPTIONS.
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ------------------------------------------------------------------------------ reminders
# Reminder emails go out this many days before a notice deadline, a certification expiry or a
# training goal's due date, once per lead time, at REMINDER_TIME (TIME_ZONE) every day.
REMINDER_LEAD_DAYS = env.days("REMINDER_LEAD_DAYS", default=[90, 30, 7])
REMINDER_TIME = env.time_of_day("REMINDER_TIME", default="07:00")

# ------------------------------------------------------------------------------ lifecycle data
# When set, the versions' end-of-support dates are refreshed daily at LIFECYCLE_REFRESH_TIME
# (TIME_ZONE) from these addresses (comma-separated): endoflife.date's API v1, one product each
# (https://endoflife.date/api/v1/products/ubuntu/), or a snapshot in the format of
# skills/data/lifecycle.json. Unset: no refresh runs. Each fetch waits at most
# LIFECYCLE_FETCH_TIMEOUT_SECONDS and reads at most LIFECYCLE_FETCH_MAX_BYTES.
LIFECYCLE_URL = env.http_urls("LIFECYCLE_URL", default="")
LIFECYCLE_REFRESH_TIME = env.time_of_day("LIFECYCLE_REFRESH_TIME", default="05:30")
LIFECYCLE_FETCH_TIMEOUT_SECONDS = env.int("LIFECYCLE_FETCH_TIMEOUT_SECONDS", default=20, minimum=1)
LIFECYCLE_FETCH_MAX_BYTES = env.int("LIFECYCLE_FETCH_MAX_BYTES", default=5_000_000, minimum=1000)

# ------------------------------------------------------------------------------ health
# /health/ calls the worker stale when its heartbeat (every minute) is older than this, and the
# nightly run stale when the last one finished longer ago.
HEALTH_WORKER_MAX_AGE_SECONDS = env.int("HEALTH_WORKER_MAX_AGE_SECONDS", default=300)
HEALTH_NIGHTLY_MAX_AGE_SECONDS = env.int("HEALTH_NIGHTLY_MAX_AGE_SECONDS", default=26 * 3600)

# ------------------------------------------------------------------------------ logging
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
