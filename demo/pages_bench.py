"""The pages a consultant opens, timed on a real gunicorn with the production settings.

`bench_pages` builds the bench portfolio (demo/bench.py) at two sizes and, at each, times every
page against a gunicorn started here; then it puts the large size under load with locust
(demo/pages_load.py). DESIGN "Coverage checks are recorded" says that the cost of a page does
not grow with the portfolio: the ratio of the two sizes shows whether it does.
"""

import contextlib
import dataclasses
import itertools
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import gunicorn
import psutil
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.coverage.checks import coverage_data_changed_at, coverage_data_touch
from agreements.coverage.models import CoverageCheck, CoverageDataChange
from agreements.models import Agreement
from core.groups import CONSULTANT
from demo import bench
from demo.http_client import LOGIN_PATH, SESSION_COOKIE, cookie_header, log_in
from skills.models import OnCallRota, Technician

CONSULTANT_USERNAME = "bench.consultant"
RATIO_TARGET = 1.5
BYTES_TARGET = 300_000
P95_TARGET_MS = 150
WHAT_IF_TECHNICIANS = 3
WHAT_IF_MEDIAN_TARGET_MS = 1500
REQUEST_TIMEOUT_SECONDS = 120
WORKER_TIMEOUT_SECONDS = 60
START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 40
MEMORY_SAMPLE_SECONDS = 0.005
# Before timing a size, the machine is given this long at most to finish what building the
# portfolio and its check left running (PostgreSQL's autovacuum above all).
SETTLE_LOAD = 0.7
SETTLE_MAX_SECONDS = 120
QUERIES_MEASURED = "in-process test client"
EVALUATED_ANEW = (
    "each timed request evaluates anew (coverage data marked changed before it); under load, "
    "the users read its result page, evaluated once before the load starts"
)
MEMORY_MEASURED = "peak RSS growth of the gunicorn workers during the request, sampled every 5 ms"
# A record of the log starts with Django's time stamp or gunicorn's.
LOG_RECORD = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ |\[\d{4}-\d\d-\d\d )", re.MULTILINE)
LOG_ERROR = re.compile(r" ERROR |\[ERROR\]|\[CRITICAL\]")


class BenchError(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class Page:
    name: str
    path: str
    # A streamed CSV: judged by rows per second and worker memory instead of the page targets.
    download: bool = False
    # A what-if: each timed request evaluates it anew (it is cached once evaluated), judged by
    # its own median target instead of the ratio.
    evaluates: bool = False


def bench_pages(*, check: CoverageCheck, day) -> list[Page]:
    """Every page of the app a consultant reads, on rows of the bench portfolio."""
    active = (
        Agreement.objects.filter(reference__startswith=bench.REFERENCE_PREFIX)
        .active_on(day)
        .order_by("reference")
    )
    agreement = active.first()
    # The agreement page draws its week grid whatever the hours; a 24×7 one has the most to draw.
    around_the_clock = active.filter(support_hours=Agreement.SupportHours.ALWAYS).first()
    rota = OnCallRota.objects.filter(name__startswith=bench.MARKER).order_by("name").first()
    technician_ids = list(
        Technician.objects.available_on(day)
        .filter(name__startswith=bench.MARKER, skills__isnull=False)
        .distinct()
        .order_by("name")
        .values_list("pk", flat=True)[:WHAT_IF_TECHNICIANS]
    )
    if agreement is None or around_the_clock is None or rota is None or not technician_ids:
        raise BenchError(
            "the bench portfolio has no active agreement, no active 24×7 agreement, no rota or "
            "no available technician"
        )
    agreements = reverse("agreements:list")
    what_if = urlencode([("technician", pk) for pk in technician_ids])
    return [
        Page("dashboard", reverse("coverage:dashboard")),
        Page("agreement_list_active", f"{agreements}?status=active"),
        Page("agreement_list_uncovered", f"{agreements}?coverage=uncovered"),
        Page("agreement_detail", reverse("agreements:detail", args=[agreement.pk])),
        Page("agreement_detail_24x7", reverse("agreements:detail", args=[around_the_clock.pk])),
        Page("client_list", reverse("clients:list")),
        Page("client_detail", reverse("clients:detail", args=[agreement.client_id])),
        Page("technician_list", reverse("skills:technician_list")),
        Page("technician_detail", reverse("skills:technician_detail", args=[technician_ids[0]])),
        Page("team_calendar", reverse("skills:team_calendar")),
        Page("rota_list", reverse("skills:rota_list")),
        Page("rota_detail", reverse("skills:rota_detail", args=[rota.pk])),
        Page("skills_matrix", reverse("coverage:matrix")),
        Page("skills_matrix_csv", reverse("coverage:matrix_csv"), download=True),
        Page("gap_analysis", reverse("planning:gap_analysis")),
        Page("plan", reverse("planning:plan")),
        Page("what_if", f"{reverse('planning:what_if')}?{what_if}", evaluates=True),
        Page("report_list", reverse("coverage:report_list")),
        Page("report_detail", reverse("coverage:report_detail", args=[check.pk])),
        Page("flag_list", reverse("coverage:flag_list")),
        Page("client_autocomplete", f"{reverse('clients:autocomplete')}?q=Bench"),
        Page("technician_autocomplete", f"{reverse('skills:technician_autocomplete')}?q=Bench"),
        Page("skill_autocomplete", f"{reverse('skills:skill_autocomplete')}?q=Bench"),
        Page("agreement_edit", reverse("agreements:update", args=[agreement.pk])),
        Page("client_edit", reverse("clients:update", args=[agreement.client_id])),
        Page("technician_edit", reverse("skills:technician_update", args=[technician_ids[0]])),
    ]


def database_settle(*, at_most: float = SETTLE_MAX_SECONDS) -> float:
    """Vacuum and analyse the database now, so that autovacuum has nothing left to do on the
    rows just written while pages are timed, then wait until the 1-minute load average is below
    SETTLE_LOAD (at most `at_most` seconds). Both sizes are timed on a machine settled alike.
    Returns the seconds it took."""
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    while os.getloadavg()[0] >= SETTLE_LOAD and time.perf_counter() - started < at_most:
        time.sleep(5)
    return round(time.perf_counter() - started, 1)


# ------------------------------------------------------------------------------ the login


def consultant_create():
    """The bench's login, in the Consultant group, with a new password; returns (user, password).

    The password is hashed with Django's default hasher whatever this process's settings say:
    the servers run the production settings, which do not read the tests' MD5 hashes.
    """
    User = get_user_model()
    User.objects.filter(username=CONSULTANT_USERNAME).delete()
    password = secrets.token_urlsafe(24)
    hasher = PBKDF2PasswordHasher()
    user = User.objects.create(
        username=CONSULTANT_USERNAME,
        first_name="Bench",
        last_name="Consultant",
        password=hasher.encode(password, hasher.salt()),
    )
    user.groups.add(Group.objects.get(name=CONSULTANT))
    return user, password


def consultant_remove(*, session_keys) -> None:
    """Delete the bench's login and the sessions it had (the servers sign theirs with their
    own key, so they are known by the keys the logins handed out)."""
    Session.objects.filter(session_key__in=session_keys).delete()
    get_user_model().objects.filter(username=CONSULTANT_USERNAME).delete()


# ------------------------------------------------------------------------------ the server


def database_url() -> str:
    """The URL of the database this process uses (in a test, the test database)."""
    db = connection.settings_dict
    user, password = quote(db["USER"], safe=""), quote(db["PASSWORD"], safe="")
    return (
        f"postgres://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{quote(db['NAME'], safe='')}"
    )


def production_environment(*, static_root: Path) -> dict:
    """What a server with the production settings needs, over plain HTTP on loopback."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_READ_DOT_ENV_FILE": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "CONNECTOR_ENCRYPTION_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "STATIC_ROOT": str(static_root),
        "PYTHONUNBUFFERED": "1",
    }


def static_collect(environment: dict) -> None:
    completed = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if completed.returncode:
        raise BenchError(f"collectstatic failed:\n{completed.stdout}{completed.stderr}")


@dataclasses.dataclass(frozen=True)
class Server:
    base_url: str
    process: subprocess.Popen
    log_path: Path

    def workers(self) -> list[psutil.Process]:
        return psutil.Process(self.process.pid).children()

    def log_tail(self, size: int = 8000) -> str:
        return self.log_path.read_text(errors="replace")[-size:]

    def log_errors(self) -> list[str]:
        return log_errors(self.log_path.read_text(errors="replace"))


def log_errors(log: str) -> list[str]:
    """Each error of a gunicorn log in short: its first line and the exception that ends its
    traceback."""
    starts = [match.start() for match in LOG_RECORD.finditer(log)] + [len(log)]
    errors = []
    for start, end in itertools.pairwise(starts):
        lines = log[start:end].strip().splitlines()
        if LOG_ERROR.search(lines[0]):
            errors.append(lines[0] if len(lines) == 1 else f"{lines[0]}\n    {lines[-1]}")
    return errors


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn_server(*, environment: dict, workers: int, log_path: Path):
    """A gunicorn on a free loopback port, answering when entered, stopped on the way out
    (error or Ctrl-C included). Its own session: a Ctrl-C reaches this process only."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        str(WORKER_TIMEOUT_SECONDS),
    ]
    if gunicorn.version_info >= (27,):
        # Its control socket lives in the home folder, one path for every gunicorn there.
        command.append("--no-control-socket")
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        server = Server(base_url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
        try:
            _wait_until_serving(server)
            yield server
        finally:
            _stop(process)


def _wait_until_serving(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        with contextlib.suppress(requests.RequestException):
            if requests.get(server.base_url + LOGIN_PATH, timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    raise BenchError(
        f"gunicorn did not answer within {START_TIMEOUT_SECONDS} s:\n{server.log_tail()}"
    )


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM: gunicorn finishes the requests under way and stops its workers."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# ------------------------------------------------------------------------------ measuring


@contextlib.contextmanager
def coverage_data_mark_kept():
    """Put back, on the way out, when coverage data last changed: timing a what-if anew marks
    it changed before each request, which the other pages would otherwise show as "changed
    since this check"."""
    kept = coverage_data_changed_at()
    try:
        yield
    finally:
        if kept is not None:
            CoverageDataChange.objects.filter(changed_at__gt=kept).update(changed_at=kept)


class WorkerMemory:
    """The largest growth of any server worker's resident memory while the block runs."""

    def __init__(self, server: Server):
        self.workers = server.workers()
        self.baseline = {worker.pid: worker.memory_info().rss for worker in self.workers}
        self.peak = dict(self.baseline)
        self.done = threading.Event()
        self.sampler = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self.done.wait(MEMORY_SAMPLE_SECONDS):
            for worker in self.workers:
                with contextlib.suppress(psutil.NoSuchProcess):
                    self.peak[worker.pid] = max(self.peak[worker.pid], worker.memory_info().rss)

    def __enter__(self):
        self.sampler.start()
        return self

    def __exit__(self, *exc_info):
        self.done.set()
        self.sampler.join()

    @property
    def growth_bytes(self) -> int:
        return max((self.peak[pid] - self.baseline[pid] for pid in self.baseline), default=0)


@dataclasses.dataclass(frozen=True)
class Sample:
    status: int
    seconds: float
    bytes: int
    lines: int = 0
    memory_growth_bytes: int = 0


def _get(session, server: Server, cookies: str, page: Page) -> Sample:
    """One request; a download is streamed and its lines counted as they arrive."""
    url = server.base_url + page.path
    options = {
        "headers": {"Cookie": cookies},
        "allow_redirects": False,
        "timeout": REQUEST_TIMEOUT_SECONDS,
    }
    if not page.download:
        started = time.perf_counter()
        response = session.get(url, **options)
        return Sample(response.status_code, time.perf_counter() - started, len(response.content))
    size = lines = 0
    with WorkerMemory(server) as memory:
        started = time.perf_counter()
        with session.get(url, stream=True, **options) as response:
            for chunk in response.iter_content(chunk_size=64 * 1024):
                size += len(chunk)
                lines += chunk.count(b"\n")
        seconds = time.perf_counter() - started
    return Sample(response.status_code, seconds, size, lines, memory.growth_bytes)


def page_measure(*, server: Server, cookies: str, page: Page, repeat: int) -> dict:
    """The median of `repeat` sequential requests after one warm-up, and the response size."""
    session = requests.Session()
    samples = []
    try:
        for _ in range(repeat + 1):
            if page.evaluates:
                coverage_data_touch()
            sample = _get(session, server, cookies, page)
            samples.append(sample)
            if sample.status != 200:
                break
    except requests.RequestException as error:
        return {"path": page.path, "status": None, "error": f"{type(error).__name__}: {error}"}
    statuses = {sample.status for sample in samples}
    measured = samples[1:] or samples
    seconds = statistics.median(sample.seconds for sample in measured)
    figures = {
        "path": page.path,
        "status": 200 if statuses == {200} else min(statuses - {200}),
        "median_ms": round(seconds * 1000, 1),
        "bytes": samples[-1].bytes,
    }
    if page.download:
        rows = max(samples[-1].lines - 1, 0)  # after the header
        growth = max(sample.memory_growth_bytes for sample in measured)
        figures |= {
            "rows": rows,
            "rows_per_second": round(rows / seconds) if seconds else None,
            "worker_rss_growth_mib": round(growth / 2**20, 1),
        }
    return figures


def queries_count(client: Client, page: Page) -> tuple[int, int]:
    """The status and the SQL queries of the page through the test client in this process, on
    the same database as the user; the second of two requests, so that nothing warms up."""
    for _ in range(2):
        if page.evaluates:
            coverage_data_touch()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.path)
            if response.streaming:
                for _chunk in response.streaming_content:
                    pass
            response.close()
    return response.status_code, len(queries)


def size_measure(
    *, server: Server, pages: list[Page], user, password: str, repeat: int, session_keys: list
) -> dict:
    """Log in (adding the session to `session_keys`, to delete afterwards), then measure every
    page; returns the figures by page name."""
    login = log_in(requests.Session(), server.base_url, username=user.username, password=password)
    session_keys.append(login[SESSION_COOKIE])
    cookies = cookie_header(login)
    in_process = Client(SERVER_NAME="localhost", raise_request_exception=False)
    in_process.force_login(user)
    figures = {}
    try:
        for page in pages:
            with coverage_data_mark_kept():
                result = page_measure(server=server, cookies=cookies, page=page, repeat=repeat)
                status, queries = queries_count(in_process, page)
            if page.evaluates:
                # The result page the load phase's users read: evaluated once more, now that
                # the data's mark is back (each timed request had a mark of its own).
                _get(requests.Session(), server, cookies, page)
            result["queries"] = queries if status == 200 else None
            if status != 200:
                result.setdefault("error", f"the in-process request answered {status}")
            figures[page.name] = result
    finally:
        in_process.logout()
    return figures


def load_run(
    *, server: Server, pages: list[Page], username: str, password: str, users: int, seconds, think
) -> dict:
    """The load phase in a process of its own (demo/pages_load.py: locust runs on gevent)."""
    config = {
        "host": server.base_url,
        "username": username,
        "password": password,
        "pages": [[page.name, page.path] for page in pages],
        "users": users,
        "seconds": seconds,
        "think_time": list(think),
    }
    completed = subprocess.run(
        [sys.executable, "-m", "demo.pages_load"],
        input=json.dumps(config),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=seconds + 300,
        start_new_session=True,
    )
    if completed.returncode:
        raise BenchError(f"the load phase failed:\n{completed.stderr[-5000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------ the lines


def _ratio(large, small):
    if large is None or not small:
        return None
    return round(large / small, 2)


def page_line(page: Page, small: dict, large: dict) -> dict:
    line = {
        "page": page.name,
        "path": large["path"],
        "small": small,
        "large": large,
        "ratio": _ratio(large.get("median_ms"), small.get("median_ms")),
        "bytes_ratio": _ratio(large.get("bytes"), small.get("bytes")),
        "queries_measured": QUERIES_MEASURED,
    }
    if page.download:
        return line | {"memory_measured": MEMORY_MEASURED, "targets": None}
    if page.evaluates:
        median = large.get("median_ms")
        return line | {
            "measured": EVALUATED_ANEW,
            "targets": {
                "median_ok": median is not None and median <= WHAT_IF_MEDIAN_TARGET_MS,
                "size_ok": large.get("bytes") is not None and large["bytes"] <= BYTES_TARGET,
            },
        }
    return line | {
        "targets": {
            "ratio_ok": line["ratio"] is not None and line["ratio"] <= RATIO_TARGET,
            "size_ok": large.get("bytes") is not None and large["bytes"] <= BYTES_TARGET,
        }
    }


def load_line(page: Page, figures: dict, *, users: int, seconds) -> dict:
    """A download is judged by its rows per second instead (it takes as long as it is big)."""
    p95 = figures["p95_ms"]
    return {
        "page": page.name,
        "path": page.path,
        "load": {"users": users, "seconds": seconds, **figures},
        "targets": None if page.download else {"p95_ok": p95 is not None and p95 <= P95_TARGET_MS},
    }


def failures_of(label: str, figures: dict) -> list[str]:
    failures = []
    for name, result in figures.items():
        status, error = result["status"], result.get("error")
        if status != 200 or error:
            answer = f"HTTP {status}" if status else "no answer"
            failures.append(f"{name} ({label}): {answer}" + (f", {error}" if error else ""))
    return failures


def report_lines(*, pages: list[Page], small: dict, large: dict, load: dict, run: dict):
    """One line per page at both sizes, one per page under load, then the summary: the pages
    missing a target, and every failure (a status other than 200, an error)."""
    page_lines = [page_line(page, small[page.name], large[page.name]) for page in pages]
    load_lines = [
        load_line(page, load["pages"][page.name], users=run["users"], seconds=run["load_seconds"])
        for page in pages
    ]
    failures = [
        *failures_of("small", small),
        *failures_of("large", large),
        *(f"login (load): {error}" for error in load["login_errors"]),
        *(
            f"{line['page']} (load): {line['load']['failures']} of "
            f"{line['load']['requests']} requests failed"
            for line in load_lines
            if line["load"]["failures"]
        ),
    ]
    summary = {
        "summary": "bench_pages",
        **run,
        "load_measured_seconds": load["measured_seconds"],
        "load_logins": load["logins"],
        "load_errors": load["errors"],
        "pages_missing_targets": {
            "ratio": [line["page"] for line in page_lines if _missed(line, "ratio_ok")],
            "what_if_median": [line["page"] for line in page_lines if _missed(line, "median_ok")],
            "size": [line["page"] for line in page_lines if _missed(line, "size_ok")],
            "p95": [line["page"] for line in load_lines if _missed(line, "p95_ok")],
        },
        "failures": failures,
    }
    return [*page_lines, *load_lines, summary]


def _missed(line: dict, target: str) -> bool:
    targets = line["targets"]
    return targets is not None and target in targets and not targets[target]
