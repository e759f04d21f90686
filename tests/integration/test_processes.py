"""The processes docker compose runs, started for real against PostgreSQL and Redis."""

import os
import re
import secrets
import signal
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from core.models import WorkerHeartbeat
from tests.integration.conftest import (
    child_environment,
    free_port,
    log_contains,
    needs_real_services,
    start_process,
    stop_process,
    wait_for,
)
from tests.processes import manage

pytestmark = pytest.mark.integration


def compose_command(service):
    """The service's command from docker-compose.yml, as an argument list, with the defaults of
    the variables it names (`${WEBHOOK_QUEUE:-webhooks}`) filled in as compose would."""
    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    return [
        re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", part)
        for part in compose["services"][service]["command"]
    ]


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, dict(response.headers), response.read().decode()


def try_get(url):
    try:
        return get(url)[0] == 200
    except OSError:
        return False


@pytest.fixture
def production_environment(transactional_db, tmp_path):
    """The environment of the compose app services, on the test database and Redis."""
    needs_real_services()
    static_root = tmp_path / "static"
    environment = child_environment(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(static_root),
        # compose runs `python`, `gunicorn` and `celery` from the image's PATH: here, ours.
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    )
    manage(
        "collectstatic", "--noinput", "-v", "0", environment=environment, timeout=120
    ).check_returncode()
    return environment


def test_a_task_sent_through_redis_runs_on_a_real_worker(celery_worker, capsys):
    worker = celery_worker()

    call_command("ping_worker", timeout=30)

    heartbeat = WorkerHeartbeat.objects.get()
    assert heartbeat.worker.startswith("test-")
    assert f"Worker {heartbeat.worker} ran the heartbeat task." in capsys.readouterr().out
    assert worker.poll() is None


def test_compose_web_command_serves_the_login_page_and_static_css(
    production_environment, processes, tmp_path
):
    port = free_port()
    # gunicorn.conf.py binds to GUNICORN_BIND (all interfaces, port 8000, in the container).
    environment = {**production_environment, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    web = processes(compose_command("web"), environment, tmp_path / "web.log")
    base_url = f"http://127.0.0.1:{port}"
    wait_for(lambda: try_get(f"{base_url}/accounts/login/"), 90, "gunicorn serving", web)

    status, _, login_page = get(f"{base_url}/accounts/login/")
    css_path = re.search(r'href="(/static/bootstrap/css/bootstrap\.min\.\w{12}\.css)"', login_page)
    css_status, css_headers, css = get(f"{base_url}{css_path.group(1)}")
    stop_process(web)

    assert status == 200
    assert "Log in to Covered" in login_page
    assert css_status == 200
    assert css_headers["Content-Type"].startswith("text/css")
    assert "Bootstrap" in css[:200]
    assert "immutable" in css_headers["Cache-Control"]
    assert web.returncode == 0
    assert "Shutting down" in Path(web.log_path).read_text()


def test_compose_worker_and_beat_commands_start(production_environment, processes, tmp_path):
    worker = processes(compose_command("worker"), production_environment, tmp_path / "worker.log")
    webhooks = processes(
        compose_command("webhooks"), production_environment, tmp_path / "webhooks.log"
    )
    beat = processes(compose_command("beat"), production_environment, tmp_path / "beat.log")

    wait_for(log_contains(worker, "ready."), 90, "worker ready", worker)
    wait_for(log_contains(webhooks, "ready."), 90, "webhooks worker ready", webhooks)
    wait_for(log_contains(beat, "beat: Starting"), 90, "beat starting", beat)
    stop_process(worker)
    stop_process(webhooks)
    stop_process(beat)

    assert worker.returncode == 0
    assert webhooks.returncode == 0
    assert beat.returncode == 0
    # Each worker lists the queues it serves when it starts.
    assert ".> webhooks " in Path(webhooks.log_path).read_text()
    assert ".> webhooks " not in Path(worker.log_path).read_text()
    # setup_schedule wrote the nightly entry that beat's DatabaseScheduler reads.
    assert PeriodicTask.objects.filter(crontab__isnull=False, enabled=True).exists()


def process_group_alive(pgid):
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_run_all_starts_web_worker_and_beat_and_ctrl_c_stops_them(transactional_db, tmp_path):
    needs_real_services()
    port = free_port()
    environment = child_environment(
        DJANGO_SETTINGS_MODULE="config.settings.local", ADDRESS=f"127.0.0.1:{port}"
    )
    run_all = start_process(["scripts/run-all"], environment, tmp_path / "run-all.log")
    try:
        wait_for(
            lambda: try_get(f"http://127.0.0.1:{port}/accounts/login/"), 90, "runserver", run_all
        )
        wait_for(log_contains(run_all, "ready."), 90, "worker ready", run_all)
        wait_for(log_contains(run_all, "beat: Starting"), 90, "beat starting", run_all)

        os.killpg(run_all.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        run_all.wait(timeout=30)
        wait_for(lambda: not process_group_alive(run_all.pid), 30, "all three stopping")
    finally:
        if process_group_alive(run_all.pid):
            os.killpg(run_all.pid, signal.SIGKILL)
        run_all.log.close()

    assert "Stopping web server, workers and scheduler" in Path(run_all.log_path).read_text()
