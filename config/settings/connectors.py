"""Connections to the PSA and the RMM (agreements/connectors/): their syncs, their safety limits."""

from config.settings.env import env

# Connection URLs may point at private or loopback addresses only where this is true (the tests).
CONNECTOR_ALLOW_PRIVATE_HOSTS = env.bool("CONNECTOR_ALLOW_PRIVATE_HOSTS", default=False)
# A sync that would remove more than this share (percent) of a kind's rows, or of one client's
# environment, waits at its preview for a person to confirm it.
SYNC_REVIEW_REMOVALS_PERCENT = env.int(
    "SYNC_REVIEW_REMOVALS_PERCENT", default=20, minimum=0, below=101
)
# A whole sync (every page of every endpoint) gives up after this many seconds.
CONNECTOR_SYNC_TIME_LIMIT_SECONDS = env.int(
    "CONNECTOR_SYNC_TIME_LIMIT_SECONDS", default=900, minimum=10
)
# The beat starts the connections whose time of day has come, every this many minutes.
CONNECTOR_SCHEDULE_MINUTES = env.int("CONNECTOR_SCHEDULE_MINUTES", default=15, minimum=1)
# A vendor's 5xx or a dropped connection is tried again after base, 2 × base … seconds.
CONNECTOR_RETRY_BACKOFF_SECONDS = env.float("CONNECTOR_RETRY_BACKOFF_SECONDS", default=1.0)
# Records asked for per page (each vendor bounds it by its own maximum).
CONNECTOR_PAGE_SIZE = env.int("CONNECTOR_PAGE_SIZE", default=100, minimum=1)
