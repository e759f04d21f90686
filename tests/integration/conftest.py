"""Real processes for the tests: a Celery worker on the Redis broker, an SMTP server."""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app


def needs_real_services():
    if not os.environ.get("REDIS_URL") or connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL); `make test` sets both")


def database_url():
    """The URL of the test database, so a child process sees what the test committed."""
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def child_environment(**extra):
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def start_process(args, env, log_path, cwd=None):
    log = open(log_path, "w")  # noqa: SIM115 - closed by stop_process
    process = subprocess.Popen(
        args,
        cwd=cwd or settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log = log
    process.log_path = log_path
    return process


def stop_process(process, timeout=15):
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.log.close()


def wait_for(predicate, timeout, what, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.2)
    log = Path(process.log_path).read_text()[-3000:] if process is not None else ""
    raise AssertionError(f"{what} did not happen within {timeout} s\n{log}")


def log_contains(process, text):
    return lambda: text in Path(process.log_path).read_text()


@pytest.fixture
def processes():
    """Starts processes like `start_process`; stops those still running after the test, the last
    started first (a worker before the broker it uses)."""
    started = []

    def start(args, environment, log_path):
        process = start_process(args, environment, log_path)
        started.append(process)
        return process

    yield start
    for process in reversed(started):
        if process.poll() is None:
            stop_process(process)
        else:
            process.log.close()


@pytest.fixture
def celery_worker(transactional_db, tmp_path, processes):
    """A real `celery worker` process consuming from Redis, on the test database.

    Yields a function that starts it with extra arguments (e.g. "-Q", "webhooks") and
    environment variables (e.g. EMAIL_URL).
    """
    needs_real_services()
    celery_app.control.purge()

    def start(*arguments, **extra_env):
        suffix = uuid.uuid4().hex[:8]
        process = processes(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--hostname",
                f"test-{suffix}@%h",
                "--without-gossip",
                "--without-mingle",
                *arguments,
            ],
            child_environment(**extra_env),
            tmp_path / f"worker-{suffix}.log",
        )
        wait_for(log_contains(process, "ready."), 60, "worker start", process)
        return process

    celery_app.conf.task_always_eager = False
    try:
        yield start
    finally:
        # The `processes` fixture then stops the workers.
        celery_app.conf.task_always_eager = True


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingHandler(Message):
    """Keeps every message the SMTP server receives."""

    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free loopback port; `.messages` holds what arrived."""
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    controller.messages = handler.messages
    try:
        yield controller
    finally:
        controller.stop()


@pytest.fixture
def project_copy(tmp_path):
    """The project's files, as git lists them, in a folder of their own whose .venv is this test
    run's virtualenv: `make run` there writes its var/ beside them, not in the checkout."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=settings.BASE_DIR, capture_output=True, check=True
    ).stdout
    copy = tmp_path / "project"
    for name in filter(None, listed.decode().split("\0")):
        source = settings.BASE_DIR / name
        # A file deleted in the work tree, and not committed yet, is not part of the project.
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    (copy / ".venv").symlink_to(sys.prefix)
    return copy
