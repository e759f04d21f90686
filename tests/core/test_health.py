"""/health/: status words and ages for monitoring, no login, 503 when a part is failing."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.coverage.models import CoverageRun
from core import health
from core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_up(monkeypatch):
    """The broker answers (whatever the test machine runs)."""

    class Answering:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def ensure_connection(self, **kwargs):
            return self

    monkeypatch.setattr(health.current_app, "connection_for_write", Answering)


def everything_fresh():
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker="celery@web-1", seen_at=now - datetime.timedelta(seconds=30)
    )
    CoverageRun.objects.create(
        run_date=timezone.localdate(), started_at=now, finished_at=now - datetime.timedelta(hours=3)
    )


def test_all_fine_answers_200_with_status_words_and_ages_only(client, broker_up):
    everything_fresh()

    response = client.get(reverse("health"))

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "worker", "nightly_run"}
    assert body["checks"]["worker"]["status"] == "ok"
    assert 0 < body["checks"]["nightly_run"]["age_seconds"] <= 3 * 3600 + 60
    # Nothing but words and numbers: no worker names, no counts, no money.
    assert "celery@web-1" not in response.content.decode()
    for check in body["checks"].values():
        assert set(check) <= {"status", "age_seconds"}


def test_an_unreachable_broker_answers_503(client, monkeypatch):
    everything_fresh()

    def refused(*args, **kwargs):
        raise ConnectionRefusedError("nothing listens")

    monkeypatch.setattr(health.current_app, "connection_for_write", refused)

    response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == {"status": "unreachable"}


def test_a_stale_worker_or_no_nightly_run_yet_answers_503(client, broker_up, settings):
    settings.HEALTH_WORKER_MAX_AGE_SECONDS = 60
    WorkerHeartbeat.objects.create(
        worker="celery@old", seen_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    checks = client.get(reverse("health")).json()["checks"]

    assert checks["worker"]["status"] == "stale"
    assert checks["nightly_run"] == {"status": "none"}


def test_the_web_scope_checks_only_the_database(client, monkeypatch):
    def refused(*args, **kwargs):
        raise ConnectionRefusedError("nothing listens")

    monkeypatch.setattr(health.current_app, "connection_for_write", refused)

    response = client.get(reverse("health"), {"scope": "web"})

    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": {"status": "ok"}},
    }


def test_the_healthcheck_command_exits_0_for_the_web_scope():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("healthcheck", "--scope", "web", stdout=out)

    assert json.loads(out.getvalue()) == {"status": "ok", "checks": {"database": {"status": "ok"}}}
