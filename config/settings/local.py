"""Embedded default for `make run`: SQLite, a file broker, emails as files under var/."""

from config.settings.base import *  # noqa: F403
from config.settings.base import INSTALLED_APPS, REDIS_URL, VAR_DIR, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-key-for-local-development-only")
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]
# Encrypts the connections' credentials; production requires its own.
CONNECTOR_ENCRYPTION_KEY = env.str(
    "CONNECTOR_ENCRYPTION_KEY", default="insecure-connector-key-for-local-development-only"
)

# The SQLite database, the broker's queue and the emails live here; git ignores it.
VAR_DIR.mkdir(exist_ok=True)
if not REDIS_URL:
    for folder in ("queue", "processed", "control", "results"):
        (VAR_DIR / "broker" / folder).mkdir(parents=True, exist_ok=True)

# ------------------------------------------------------------------------------ demo
# ensure_demo_users gives the demo admin a second factor and prints it once (recovery codes and
# a provisioning URI), so that Django admin opens without a phone on a developer's machine.
# Production settings never set it.
DEMO_ADMIN_SECOND_FACTOR = True
