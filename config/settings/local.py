"""Embedded default for `make run`: SQLite, a file broker, emails as files under var/."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-key-for-local-development-only")
