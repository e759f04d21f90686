"""The nightly run is never lost, with real faults: a killed worker, a database that refuses
connections, a broker that restarts, an SMTP server that is down (DESIGN "The nightly job").

The worker and beat processes get shortened timings through their environment: a lease of a few
seconds, retries after a second or two, the sweep every two seconds.
"""

import asyncio
import datetime
import os
import signal
import socket
import sys
import threading
from contextlib import contextmanager, suppress
from decimal import Decimal

import psycopg
import pytest
import redis
import yaml
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from agreements.coverage.checks import LOCK as COVERAGE_CHECK_LOCK
from agreements.coverage.models import CoverageCheck, CoverageRun
from agreements.coverage.schedule import SWEEP_TASK, SWEEP_TASK_NAME
from config.celery import app as celery_app
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.conftest import add_recipient
from tests.integration.conftest import (
    RecordingHandler,
    child_environment,
    database_url,
    free_port,
    log_contains,
    stop_process,
    wait_for,
)
from tests.skills.factories import SkillFactory

pytestmark = pytest.mark.integration

NIGHTLY_TASK = "agreements.tasks.run_nightly_coverage"
LEASE_SECONDS = 8
SWEEP_SECONDS = 2
# The run is due from midnight, so the sweep takes it up whatever the time of day.
FAST = {
    "COVERAGE_REPORT_TIME": "00:00",
    "COVERAGE_RUN_LEASE_SECONDS": str(LEASE_SECONDS),
    "COVERAGE_TASK_RETRY_BASE_SECONDS": "1",
    "COVERAGE_TASK_RETRY_MAX_SECONDS": "2",
    "EMAIL_TIMEOUT": "5",
}


@pytest.fixture
def portfolio(django_user_model):
    """One uncovered agreement and one report recipient."""
    agreement = AgreementFactory(
        annual_value=Decimal("25000.00"),
        start_date=timezone.localdate() - datetime.timedelta(days=30),
    )
    RequirementFactory(agreement=agreement, skill=SkillFactory(name="Exchange"))
    add_recipient(django_user_model, "rachel")


def the_run():
    return CoverageRun.objects.filter(run_date=timezone.localdate()).first()


def email_status():
    run = the_run()
    return run.email_status if run else None


def smtp_url(port):
    return f"smtp://127.0.0.1:{port}"


def kill(process):
    """SIGKILL, as the kernel's OOM killer or a lost machine would: no clean-up runs."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def sweep_once():
    """The sweep's verdict once everything queued before it is done (the worker runs one task at
    a time, in order)."""
    return celery_app.send_task(SWEEP_TASK).get(timeout=60)


@pytest.fixture
def forget_unacknowledged():
    """A killed worker leaves its task unacknowledged in Redis, to be delivered again an hour
    later (the visibility timeout): drop it, so it cannot turn up in a later test."""
    yield
    redis.Redis.from_url(settings.CELERY_BROKER_URL).delete("unacked", "unacked_index")


@pytest.fixture
def sweep_beat(celery_worker, processes, tmp_path):
    """Starts `celery beat` on the database schedule, with the sweep every SWEEP_SECONDS."""

    def start():
        every, _ = IntervalSchedule.objects.get_or_create(
            every=SWEEP_SECONDS, period=IntervalSchedule.SECONDS
        )
        PeriodicTask.objects.create(name=SWEEP_TASK_NAME, task=SWEEP_TASK, interval=every)
        beat = processes(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO"],
            child_environment(),
            tmp_path / "beat.log",
        )
        wait_for(log_contains(beat, "beat: Starting"), 60, "beat start", beat)
        return beat

    return start


# ------------------------------------------------------------------------------ a worker killed


@contextmanager
def coverage_check_lock_held():
    """Holds the lock a coverage check takes, as a check running elsewhere would, so that the
    nightly run waits for it mid-way."""
    with psycopg.connect(database_url()) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [COVERAGE_CHECK_LOCK])
        yield
        holder.rollback()


def sessions_waiting_for_a_lock():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event = 'advisory'"
        )
        return cursor.fetchone()[0]


def test_a_run_whose_worker_is_killed_is_taken_up_by_the_sweep_and_reported_once(
    celery_worker, sweep_beat, smtp_server, portfolio, forget_unacknowledged
):
    environment = {**FAST, "EMAIL_URL": smtp_url(smtp_server.port)}
    first = celery_worker(**environment)

    with coverage_check_lock_held():
        celery_app.send_task(NIGHTLY_TASK)
        wait_for(lambda: sessions_waiting_for_a_lock() == 1, 60, "the run to wait", first)
        kill(first)
    claimed = the_run()
    sweep_beat()
    second = celery_worker(**environment)
    second_ready_at = timezone.now()
    wait_for(
        lambda: email_status() == "sent",
        LEASE_SECONDS + SWEEP_SECONDS + 30,
        "the sweep to take the run up again and report it",
        second,
    )

    assert sweep_once() == ""
    run = the_run()
    assert (claimed.run_attempts, claimed.finished_at) == (1, None)
    assert run.run_attempts == 2
    # Taken up at the first sweep once the lease ran out and a worker was there (some slack for
    # a busy machine).
    due = max(claimed.lease_until, second_ready_at)
    assert run.started_at <= due + datetime.timedelta(seconds=SWEEP_SECONDS + 10)
    assert run.run_last_error == ""
    assert run.coverage_check.trigger == CoverageCheck.Trigger.SWEEP
    assert CoverageCheck.objects.count() == 1
    assert len(smtp_server.messages) == 1


class HoldingHandler(RecordingHandler):
    """Holds every message in DATA, unanswered, while `hold` is set. A message whose sender
    hangs up meanwhile is dropped, as a server drops one it has not said "250 OK" to."""

    def __init__(self):
        super().__init__()
        self.hold = threading.Event()
        self.hold.set()
        self.holding = threading.Event()
        self.dropped = 0

    async def handle_DATA(self, server, session, envelope):
        try:
            while self.hold.is_set():
                self.holding.set()
                await asyncio.sleep(0.05)
        except asyncio.CancelledError:  # aiosmtpd cancels the handler when the client is gone
            self.dropped += 1
            raise
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def holding_smtp_server():
    handler = HoldingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    controller.handler = handler
    try:
        yield controller
    finally:
        handler.hold.clear()
        controller.stop()


def test_a_report_whose_worker_is_killed_while_sending_is_sent_once_by_the_sweep(
    celery_worker, sweep_beat, holding_smtp_server, portfolio, forget_unacknowledged
):
    handler = holding_smtp_server.handler
    environment = {**FAST, "EMAIL_URL": smtp_url(holding_smtp_server.port)}
    # The first worker must still be waiting for the server's answer when it is killed.
    first = celery_worker(**{**environment, "EMAIL_TIMEOUT": "60"})

    celery_app.send_task(NIGHTLY_TASK)
    wait_for(handler.holding.is_set, 60, "the report to be sent", first)
    kill(first)
    wait_for(lambda: handler.dropped == 1, 30, "the server to drop the unanswered message")
    handler.hold.clear()
    sweep_beat()
    second = celery_worker(**environment)
    wait_for(
        lambda: email_status() == "sent", SWEEP_SECONDS + 30, "the sweep to send the report", second
    )

    assert sweep_once() == ""
    run = the_run()
    assert run.attempts == 1  # the killed worker's attempt was rolled back with its transaction
    assert run.last_error == ""
    assert run.run_attempts == 1
    assert len(handler.messages) == 1


# ------------------------------------------------------------------------------ the database


class DatabaseProxy:
    """A TCP proxy in front of PostgreSQL. While closed it hangs up on every connection, as a
    database that is starting up or shutting down does; once opened it forwards them."""

    def __init__(self, host, port):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.forwarding = threading.Event()
        self.refused = 0
        self.sockets = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def url(self):
        db = connection.settings_dict
        return f"postgres://{db['USER']}:{db['PASSWORD']}@127.0.0.1:{self.port}/{db['NAME']}"

    def open(self):
        self.forwarding.set()

    def stop(self):
        self.stopped.set()
        self.thread.join(timeout=5)
        self.listener.close()
        for sock in self.sockets:
            sock.close()

    def _accept(self):
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            if not self.forwarding.is_set():
                self.refused += 1
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def database_proxy(transactional_db):
    db = connection.settings_dict
    proxy = DatabaseProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432))
    try:
        yield proxy
    finally:
        proxy.stop()


def test_a_run_queued_while_the_database_refuses_connections_is_retried_until_it_is_back(
    celery_worker, database_proxy, smtp_server, portfolio
):
    worker = celery_worker(
        **FAST, DATABASE_URL=database_proxy.url(), EMAIL_URL=smtp_url(smtp_server.port)
    )

    celery_app.send_task(NIGHTLY_TASK)
    # The first try and two retries, 1 s and 2 s later.
    wait_for(lambda: database_proxy.refused >= 3, 30, "the retries", worker)
    database_proxy.open()
    wait_for(lambda: email_status() == "sent", 30, "the report email", worker)

    run = the_run()
    assert run.run_attempts == 1  # the attempts that found no database left no trace
    assert run.run_last_error == ""
    assert "Retry in" in worker.log_path.read_text()
    assert len(smtp_server.messages) == 1


# ------------------------------------------------------------------------------ the broker


def compose_redis_command():
    """The broker's command in docker-compose.yml: the persistence it asks for is under test."""
    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    return compose["services"]["redis"]["command"]


class RedisServer:
    """A Redis of the test's own, started as docker compose starts the broker, on a free port
    and with no snapshots: only the append-only file carries the data across a restart."""

    def __init__(self, processes, directory):
        self.processes = processes
        self.directory = directory
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.client = redis.Redis.from_url(self.url)
        self.starts = 0
        self.process = None

    def start(self):
        self.starts += 1
        self.process = self.processes(
            [
                *compose_redis_command(),
                *("--bind", "127.0.0.1", "--port", str(self.port)),
                *("--dir", str(self.directory), "--save", ""),
            ],
            os.environ,
            self.directory / f"redis-{self.starts}.log",
        )
        wait_for(self._answers, 30, "redis-server start", self.process)

    def restart(self):
        stop_process(self.process)
        self.start()

    def _answers(self):
        try:
            return self.client.ping()
        except redis.ConnectionError:
            return False


@pytest.fixture
def own_redis(processes, tmp_path):
    server = RedisServer(processes, tmp_path)
    server.start()
    return server


def test_a_run_queued_before_the_broker_restarts_is_done_once_by_a_worker_started_after(
    celery_worker, own_redis, smtp_server, portfolio
):
    with celery_app.connection_for_write(own_redis.url) as broker:
        celery_app.send_task(NIGHTLY_TASK, connection=broker)
    assert own_redis.client.llen("celery") == 1

    own_redis.restart()
    assert own_redis.client.llen("celery") == 1
    # The Redis is the test's own, so the worker keeps database 0 under pytest -n as well.
    worker = celery_worker(
        **FAST,
        REDIS_URL=own_redis.url,
        EMAIL_URL=smtp_url(smtp_server.port),
        PYTEST_XDIST_WORKER="",
    )
    wait_for(lambda: email_status() == "sent", 30, "the report email", worker)

    run = the_run()
    assert run.run_attempts == 1
    assert CoverageCheck.objects.count() == 1
    assert len(smtp_server.messages) == 1


# ------------------------------------------------------------------------------ the SMTP server


def first_attempt_failed():
    run = the_run()
    return run is not None and run.attempts >= 1 and "ConnectionRefusedError" in run.last_error


def test_a_report_retried_while_smtp_is_down_is_sent_once_when_it_comes_up(
    celery_worker, portfolio
):
    port = free_port()  # nothing listens there yet: connections are refused
    worker = celery_worker(**FAST, EMAIL_URL=smtp_url(port), COVERAGE_EMAIL_MAX_RETRIES="5")

    celery_app.send_task(NIGHTLY_TASK)
    wait_for(first_attempt_failed, 30, "the first attempt to fail", worker)
    assert email_status() == "pending"
    handler = RecordingHandler()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        # Retries follow 1, 2, 4, 8 and 16 s after a failure (test settings).
        wait_for(lambda: email_status() == "sent", 45, "the report email", worker)
    finally:
        server.stop()

    run = the_run()
    assert run.attempts >= 2
    assert run.last_error == ""
    assert run.sent_at is not None
    assert len(handler.messages) == 1
