"""What /health/ reports: status words and ages in seconds, never names, counts or money.

Core checks the database, the broker and the worker's heartbeat; other apps add theirs with
`health_check_register` (coverage adds the age of the last nightly run).
"""

from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.models import WorkerHeartbeat

_checks: dict[str, Callable[[], dict]] = {}


def health_check_register(name: str, check: Callable[[], dict]) -> None:
    """Add a check to the full report; `check()` returns {"status": "ok" | …, …}."""
    _checks[name] = check


def database_check() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return {"status": "unreachable"}
    return {"status": "ok"}


def broker_check() -> dict:
    try:
        with current_app.connection_for_write() as broker:
            broker.ensure_connection(
                max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT
            )
    except Exception:
        return {"status": "unreachable"}
    return {"status": "ok"}


def age_check(moment, *, max_seconds: int) -> dict:
    """ "ok" when `moment` is at most `max_seconds` old, "stale" when older, "none" without."""
    if moment is None:
        return {"status": "none"}
    age = int((timezone.now() - moment).total_seconds())
    return {"status": "ok" if age <= max_seconds else "stale", "age_seconds": age}


def worker_check() -> dict:
    try:
        seen_at = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True)
        return age_check(seen_at.first(), max_seconds=settings.HEALTH_WORKER_MAX_AGE_SECONDS)
    except Exception:
        return {"status": "unknown"}


def health_report(*, scope: str = "all") -> dict[str, dict]:
    """{part: result}. The "web" scope is the database alone: what a web container needs."""
    report = {"database": database_check()}
    if scope == "web":
        return report
    report["broker"] = broker_check()
    report["worker"] = worker_check()
    for name, check in _checks.items():
        try:
            report[name] = check()
        except Exception:
            report[name] = {"status": "unknown"}
    return report
