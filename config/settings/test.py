"""Settings for the test suite: PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set."""

import os
from urllib.parse import urlsplit, urlunsplit

from config.settings.base import *  # noqa: F403
from config.settings.base import INSTALLED_APPS, REDIS_URL, env

INSTALLED_APPS = [*INSTALLED_APPS, "demo"]

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="insecure-key-for-tests-only")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if not (env.str("EMAIL_URL", default="") or env.str("EMAIL_HOST", default="")):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# ------------------------------------------------------------------------------ celery
# Tasks run in-process, unless a test starts a real worker (tests/integration/conftest.py).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
# Parallel test processes (pytest -n) each take a Redis database of their own, so a worker one
# of them starts never takes the other's tasks.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _xdist_worker.startswith("gw"):
    REDIS_URL = urlunsplit(urlsplit(REDIS_URL)._replace(path=f"/{1 + int(_xdist_worker[2:])}"))
    CELERY_BROKER_URL = CELERY_RESULT_BACKEND = REDIS_URL

# ------------------------------------------------------------------------------ media
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "test-media")  # noqa: F405
PRIVATE_MEDIA_ROOT = env.path(  # noqa: F405
    "PRIVATE_MEDIA_ROOT",
    default=BASE_DIR / "var" / "test-private-media",  # noqa: F405
)

# ------------------------------------------------------------------------------ static files
# Served straight from the apps and static/, so the tests need no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# ------------------------------------------------------------------------------ coverage
# Report email retries after 1, 2, 4 … seconds instead of minutes.
COVERAGE_EMAIL_RETRY_BASE_SECONDS = 1

# ------------------------------------------------------------------------------ cache
# Each test process counts its own password reset requests (tests/conftest.py clears it).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# ------------------------------------------------------------------------------ api
# Schemathesis sends hundreds of requests a minute; the throttle tests set their own rates.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        "token": "100000/hour",
        "session": "100000/hour",
        "anon": "100000/hour",
    },
}
WEBHOOK_ALLOW_PRIVATE_HOSTS = True

# ------------------------------------------------------------------------------ connectors
# The vendors' APIs are local servers in the tests.
CONNECTOR_ALLOW_PRIVATE_HOSTS = True
CONNECTOR_RETRY_BACKOFF_SECONDS = 0.0
CONNECTOR_ENCRYPTION_KEY = env.str(
    "CONNECTOR_ENCRYPTION_KEY", default="insecure-connector-key-for-tests-only"
)
# Webhook retries after 1, 2, 4 … seconds instead of half-minutes.
WEBHOOK_RETRY_BASE_SECONDS = 1
