"""The scheduled lifecycle refresh: when LIFECYCLE_URL is set, a Celery task fetches it with
httpx, loads it as `load_catalog --lifecycle` does and records each load (LifecycleRefresh).
endoflife.date is played by a real local HTTP server (pytest-httpserver) answering with the
published data in tests/skills/endoflife/ (SOURCES.md there)."""

import datetime
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask
from werkzeug import Response

from agreements.coverage.schedule import LIFECYCLE_TASK, LIFECYCLE_TASK_NAME
from agreements.service_catalog import load_catalog
from skills.models import LifecycleRefresh, LifecycleSnapshot, SkillVersion
from skills.tasks import refresh_lifecycle

pytestmark = pytest.mark.django_db

UBUNTU_API = Path(__file__).resolve().parent / "endoflife" / "ubuntu-api-v1.json"
PATH = "/api/v1/products/ubuntu/"


@pytest.fixture
def catalog():
    load_catalog()


@pytest.fixture
def ubuntu_served(httpserver, settings):
    httpserver.expect_request(PATH).respond_with_data(
        UBUNTU_API.read_bytes(), content_type="application/json"
    )
    settings.LIFECYCLE_URL = [httpserver.url_for(PATH)]
    return httpserver


def ubuntu(label):
    return SkillVersion.objects.get(skill__name="Ubuntu Server", label=label)


def test_the_refresh_fetches_loads_and_records_the_load(catalog, ubuntu_served):
    SkillVersion.objects.filter(pk=ubuntu("22.04 LTS").pk).update(end_of_support=None)

    ids = refresh_lifecycle.delay().get()

    refresh = LifecycleRefresh.objects.get(pk__in=ids)
    assert refresh.result == LifecycleRefresh.Result.LOADED
    assert refresh.source == ubuntu_served.url_for(PATH)
    assert refresh.taken_on == datetime.date(2026, 9, 14)
    assert (refresh.products_loaded, refresh.products_unchanged, refresh.versions_updated) == (
        1,
        0,
        1,
    )
    assert refresh.snapshot == LifecycleSnapshot.objects.latest()
    assert refresh.loaded_at is not None
    assert ubuntu("22.04 LTS").end_of_support == datetime.date(2027, 4, 1)


def test_a_second_run_finds_nothing_newer_and_records_that(catalog, ubuntu_served):
    refresh_lifecycle.delay().get()

    (second,) = LifecycleRefresh.objects.filter(pk__in=refresh_lifecycle.delay().get())

    assert second.result == LifecycleRefresh.Result.UNCHANGED
    assert (second.products_loaded, second.products_unchanged) == (0, 1)
    assert second.snapshot is None
    assert LifecycleSnapshot.objects.count() == 3  # the shipped file's two lines, the refresh


def test_a_failing_server_is_recorded_and_changes_nothing(catalog, httpserver, settings):
    httpserver.expect_request(PATH).respond_with_data("busy", status=503)
    settings.LIFECYCLE_URL = [httpserver.url_for(PATH)]
    dates = dict(SkillVersion.objects.values_list("pk", "end_of_support"))

    refresh_lifecycle.delay().get()

    refresh = LifecycleRefresh.objects.get()
    assert refresh.result == LifecycleRefresh.Result.FAILED
    assert refresh.message == "the server answered 503 SERVICE UNAVAILABLE."
    assert dict(SkillVersion.objects.values_list("pk", "end_of_support")) == dates
    assert LifecycleSnapshot.objects.count() == 2  # the shipped file's


def test_a_bad_answer_is_recorded_with_where_it_is_wrong(catalog, httpserver, settings):
    body = UBUNTU_API.read_text(encoding="utf-8").replace(
        '"eolFrom": "2027-04-01"', '"eolFrom": "April 2027"'
    )
    httpserver.expect_request(PATH).respond_with_data(body, content_type="application/json")
    settings.LIFECYCLE_URL = [httpserver.url_for(PATH)]

    refresh_lifecycle.delay().get()

    refresh = LifecycleRefresh.objects.get()
    assert refresh.result == LifecycleRefresh.Result.FAILED
    assert "product “ubuntu”, release 4 (“22.04”): “eolFrom” must be a date" in refresh.message
    assert ubuntu("22.04 LTS").end_of_support == datetime.date(2027, 4, 1)


def test_an_answer_slower_than_the_timeout_is_recorded(catalog, httpserver, settings):
    def slow(request):
        time.sleep(2)
        return Response("{}", content_type="application/json")

    httpserver.expect_request(PATH).respond_with_handler(slow)
    settings.LIFECYCLE_URL = [httpserver.url_for(PATH)]
    settings.LIFECYCLE_FETCH_TIMEOUT_SECONDS = 1

    refresh_lifecycle.delay().get()

    assert LifecycleRefresh.objects.get().message == "no answer within 1 seconds."


def test_unset_nothing_runs_and_nothing_is_scheduled(catalog, settings):
    settings.LIFECYCLE_URL = []

    assert refresh_lifecycle.delay().get() == []
    call_command("setup_schedule", stdout=StringIO())

    assert not LifecycleRefresh.objects.exists()
    assert not PeriodicTask.objects.filter(task=LIFECYCLE_TASK).exists()


def test_set_the_refresh_is_in_the_beat_schedule_and_goes_when_unset(settings):
    settings.LIFECYCLE_URL = ["https://endoflife.date/api/v1/products/ubuntu/"]
    settings.LIFECYCLE_REFRESH_TIME = "05:30"

    out = StringIO()
    call_command("setup_schedule", stdout=out)

    entry = PeriodicTask.objects.get(name=LIFECYCLE_TASK_NAME)
    assert (entry.task, entry.crontab.hour, entry.crontab.minute) == (LIFECYCLE_TASK, "5", "30")
    assert f"Scheduled “{LIFECYCLE_TASK_NAME}” daily at 05:30" in out.getvalue()

    settings.LIFECYCLE_URL = []
    out = StringIO()
    call_command("setup_schedule", stdout=out)

    assert not PeriodicTask.objects.filter(name=LIFECYCLE_TASK_NAME).exists()
    assert f"Removed “{LIFECYCLE_TASK_NAME}”: LIFECYCLE_URL is not set." in out.getvalue()
