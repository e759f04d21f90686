"""The environment the settings read, through django-environ, and every check of its values: a bad
value stops start-up with one line that names its variable."""

import datetime
import os
import re
import warnings
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

NOTSET = environ.Env.NOTSET
POSTGRESQL = environ.Env.DB_SCHEMES["postgres"]
SQLITE = environ.Env.DB_SCHEMES["sqlite"]
# The units Django REST framework's throttles understand.
REQUEST_RATE = re.compile(r"[1-9]\d*/(s|sec|second|m|min|minute|h|hour|d|day)")


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


class SettingsEnv(environ.Env):
    """django-environ's reader with the checks Covered's values need. It reads a copy of the
    environment, so values from .env reach the settings only and are not passed on to the
    processes this one starts."""

    ENVIRON = dict(os.environ)

    def str(self, var, default=NOTSET, multiline=False, *, blank=True):
        value = super().str(var, default=default, multiline=multiline)
        if not blank and not value:
            raise ImproperlyConfigured(f"{var} must not be empty")
        return value

    def int(self, var, default=NOTSET, *, minimum=None, below=None):
        """A whole number within its bounds; with a default of None it may be left unset."""
        try:
            value = super().int(var, default=default)
        except ValueError:
            raise ImproperlyConfigured(
                f"{var} must be a whole number, not {self.str(var)!r}"
            ) from None
        if value is None:
            return value
        if minimum is not None and value < minimum:
            bound = "0 or more" if minimum == 0 else f"at least {minimum}"
            raise ImproperlyConfigured(
                f"{var} must be {bound}{' when set' if default is None else ''}"
            )
        if below is not None and value >= below:
            raise ImproperlyConfigured(f"{var} must be less than {below}")
        return value

    def choice(self, var, choices, default=NOTSET):
        value = self.str(var, default=default)
        if value not in choices:
            raise ImproperlyConfigured(f"{var} must be {' or '.join(choices)}, not {value!r}")
        return value

    def days(self, var, default=NOTSET):
        """Numbers of days separated by commas, each 1 or more: sorted, without repeats."""
        try:
            days = sorted(set(self.list(var, cast=int, default=default)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{var} must be whole days separated by commas, not {self.str(var)!r}"
            ) from None
        if not days or days[0] < 1:
            raise ImproperlyConfigured(
                f"{var} must list at least one number of days, each 1 or more"
            )
        return days

    def time_of_day(self, var, default=NOTSET):
        """HH:MM, kept as text: the schedules are made from it."""
        value = self.str(var, default=default)
        try:
            datetime.datetime.strptime(value, "%H:%M")
        except ValueError:
            raise ImproperlyConfigured(
                f"{var} must be HH:MM in 24-hour time, not {value!r}"
            ) from None
        return value

    def rate(self, var, default=NOTSET):
        """Requests allowed per second, minute, hour or day, as in 1200/hour."""
        value = self.str(var, default=default)
        if not REQUEST_RATE.fullmatch(value):
            raise ImproperlyConfigured(
                f"{var} must be a number of requests per second, minute, hour or day, "
                f"e.g. 1200/hour, not {value!r}"
            )
        return value

    @contextmanager
    def _naming_url(self, var):
        """Turns any failure to read the URL in `var` into one line naming it, password masked."""
        try:
            with warnings.catch_warnings():
                # django-environ warns before failing on an unknown scheme; the error below says it.
                warnings.simplefilter("ignore")
                yield
        except (ImproperlyConfigured, ValueError, KeyError) as exc:
            raw = self.str(var, default="")
            raise ImproperlyConfigured(f"{var} is not valid ({redacted(raw)!r}): {exc}") from None

    def db_url(self, var=environ.Env.DEFAULT_DATABASE_ENV, default=NOTSET, engine=None):
        """django-environ's database settings, for the engines Covered runs on only."""
        with self._naming_url(var):
            config = super().db_url(var, default=default, engine=engine)
            if config.get("ENGINE") not in (POSTGRESQL, SQLITE):
                raise ImproperlyConfigured(
                    "use postgres://USER:PASSWORD@HOST:PORT/NAME or sqlite:///PATH"
                )
            if config["ENGINE"] == POSTGRESQL and not config["NAME"]:
                raise ImproperlyConfigured("the database name is missing")
        return config

    db = db_url

    def email_url(self, var=environ.Env.DEFAULT_EMAIL_ENV, default=NOTSET, backend=None):
        with self._naming_url(var):
            return super().email_url(var, default=default, backend=backend)

    email = email_url

    def redis_url(self, var, default=NOTSET):
        """The URL as Celery's broker takes it: django-environ parses cache URLs, not brokers'."""
        with self._naming_url(var):
            url = self.str(var, default=default)
            if url and not url.startswith(("redis://", "rediss://")):
                raise ImproperlyConfigured("use redis://HOST:PORT/DB or rediss:// for TLS")
        return url

    def http_urls(self, var, default=NOTSET):
        """A comma-separated list of http:// or https:// addresses, each with its host."""
        urls = [url.strip() for url in self.str(var, default=default).split(",") if url.strip()]
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ImproperlyConfigured(
                    f"{var} must list http:// or https:// addresses, not {redacted(url)!r}"
                )
        return urls

    def required(self, var, cast=None):
        """A value production has no default for: start-up stops when it is unset or empty."""
        try:
            value = self(var, cast=cast)
        except ImproperlyConfigured:
            raise ImproperlyConfigured(f"{var} is required in production and is not set") from None
        if not value:
            raise ImproperlyConfigured(f"{var} is required in production and is empty")
        return value

    def secret_key(self, var):
        """A required signing key, as long and varied as Django's deployment check asks."""
        value = self.required(var)
        if len(value) < 50 or len(set(value)) < 5:
            raise ImproperlyConfigured(f"{var} is too short: use at least 50 random characters")
        return value


env = SettingsEnv()
# A .env file fills in what the environment leaves unset; processes started by the tests with a
# chosen environment turn it off.
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=True) and (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")
