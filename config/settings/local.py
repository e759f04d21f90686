"""Embedded default for `make run`: SQLite, a file broker, emails as files under var/."""

from config.settings.base import *  # noqa: F403
from config.settings.base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-key-for-local-development-only")

# The SQLite database, the broker's queue and the emails live here; git ignores it.
VAR_DIR.mkdir(exist_ok=True)
