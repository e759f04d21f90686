"""The processes docker compose runs, started for real against PostgreSQL and Redis."""

import contextlib
import os
import re
import secrets
import signal
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_celery_beat.models import PeriodicTask

from core.management.commands.ensure_demo_users import DEMO_USERS
from core.models import WorkerHeartbeat
from tests.integration.conftest import (
    child_environment,
    database_url,
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
        CONNECTOR_ENCRYPTION_KEY=secrets.token_urlsafe(50),
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


def running(processes) -> list[psutil.Process]:
    """Those of `processes` that have not exited (an exited one nobody has reaped yet is a
    zombie: it runs no more)."""
    alive = []
    for process in processes:
        try:
            if process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            pass
    return alive


def process_tree(pid) -> list[psutil.Process]:
    parent = psutil.Process(pid)
    return [parent, *parent.children(recursive=True)]


def kill_tree(processes) -> None:
    for process in running(processes):
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


# What the processes print once as they start (the web server, both workers, the scheduler) and
# the demo admin's second factor, printed once: all of it comes before the logins.
START_UP_MESSAGES = (
    "Quit the server with",
    "[tasks]",
    " ready.",
    "beat: Starting",
    "recovery codes",
)
# A loaded machine is slow to start four Django processes; an idle one takes some 20 s.
START_UP_SECONDS = 240
STOP_SECONDS = 10


def logins_printed(process):
    pattern = re.compile(rf"^\s+{re.escape(DEMO_USERS[-1].username)}\s+password ", re.MULTILINE)
    return lambda: pattern.search(Path(process.log_path).read_text()) is not None


# The test run's services: `make run` goes without them, as on a newcomer's machine.
SERVICES = ("DATABASE_URL", "REDIS_URL", "EMAIL_URL", "EMAIL_HOST")


def local_environment(**extra):
    """A developer's shell: the local settings with their SQLite database and file broker under
    the project's var/, no .env."""
    environment = {name: value for name, value in os.environ.items() if name not in SERVICES}
    return {
        **environment,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_READ_DOT_ENV_FILE": "false",
        **extra,
    }


def test_make_run_prints_the_logins_last_and_sigterm_stops_every_process_within_10_s(
    project_copy, tmp_path
):
    port = free_port()
    environment = local_environment(ADDRESS=f"127.0.0.1:{port}")
    # The copy's .venv is this run's, installed already: -o keeps make from installing again.
    make = start_process(
        ["make", "-o", ".venv/.installed", "run"], environment, tmp_path / "run.log", project_copy
    )
    processes = []
    try:
        wait_for(logins_printed(make), START_UP_SECONDS, "the logins", make)
        login_page_status = get(f"http://127.0.0.1:{port}/accounts/login/")[0]
        processes = process_tree(make.pid)
        # Whatever else the start-up prints would be out by now.
        time.sleep(2)
        lines = Path(make.log_path).read_text().splitlines()

        make.send_signal(signal.SIGTERM)
        wait_for(lambda: not running(processes), STOP_SECONDS, "every process stopping")
    finally:
        kill_tree(processes)
        make.wait()
        make.log.close()

    heading = next(
        number
        for number, line in enumerate(lines)
        if line.startswith(f"Open http://127.0.0.1:{port} and log in")
    )
    logins = [re.match(r"\s+(\S+)\s+password \S+", line) for line in lines[heading + 1 :]]
    start_up = [
        number
        for number, line in enumerate(lines)
        if any(message in line for message in START_UP_MESSAGES)
    ]
    assert login_page_status == 200
    assert [login.group(1) for login in logins[: len(DEMO_USERS)] if login] == [
        demo.username for demo in DEMO_USERS
    ]
    assert all(any(message in line for line in lines) for message in START_UP_MESSAGES)
    assert sum(" ready." in line for line in lines[:heading]) == 2  # both workers
    assert max(start_up) < heading
    # make, run-all and its tee, the web server and its child, two workers and their pools, beat.
    assert len(processes) >= 9


def test_run_all_stops_web_worker_and_beat_on_ctrl_c_within_10_s(
    transactional_db, project_copy, tmp_path
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): run-all starts on the migrated test database")
    port = free_port()
    # The test database, already migrated, and the file broker under the copy's var/.
    environment = local_environment(DATABASE_URL=database_url(), ADDRESS=f"127.0.0.1:{port}")
    run_all = start_process(["scripts/run-all"], environment, tmp_path / "run.log", project_copy)
    processes = []
    try:
        wait_for(logins_printed(run_all), START_UP_SECONDS, "the logins", run_all)
        processes = process_tree(run_all.pid)

        os.killpg(run_all.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
        wait_for(lambda: not running(processes), STOP_SECONDS, "every process stopping")
    finally:
        kill_tree(processes)
        run_all.wait()
        run_all.log.close()

    assert (
        "Stopping the web server, the workers and the scheduler"
        in Path(run_all.log_path).read_text()
    )
    assert run_all.returncode == 0
