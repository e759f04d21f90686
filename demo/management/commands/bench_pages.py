import dataclasses
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import CoverageCheck
from demo import bench
from demo.http_client import LoginFailed
from demo.pages_bench import (
    SETTLE_LOAD,
    SETTLE_MAX_SECONDS,
    BenchError,
    bench_pages,
    consultant_create,
    consultant_remove,
    database_settle,
    failures_of,
    gunicorn_server,
    load_run,
    production_environment,
    report_lines,
    size_measure,
    static_collect,
)

SMALL, LARGE = "small", "large"
POSITIVE_OPTIONS = [
    "small_fraction",
    "large_fraction",
    "workers",
    "repeat",
    "users",
    "load_seconds",
]


class Command(BaseCommand):
    help = (
        "Time every page on gunicorn with the production settings at two sizes of the bench "
        "portfolio (rows marked “Bench …”), then under load with locust. Prints one JSON line "
        "per page, one per page under load, and a summary. Needs PostgreSQL."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--small-fraction",
            type=float,
            default=0.1,
            help="The small portfolio as a fraction of the roll-up sizes (default %(default)s).",
        )
        parser.add_argument(
            "--large-fraction",
            type=float,
            default=1.0,
            help="The large portfolio as a fraction of the roll-up sizes (default %(default)s).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=2 * (os.cpu_count() or 1),
            help="gunicorn workers (default %(default)s: 2 per CPU, as gunicorn.conf.py).",
        )
        parser.add_argument(
            "--repeat",
            type=int,
            default=5,
            help="Timed requests per page, after one warm-up (default %(default)s).",
        )
        parser.add_argument(
            "--users",
            type=int,
            default=20,
            help="Concurrent users of the load phase (default %(default)s).",
        )
        parser.add_argument(
            "--load-seconds",
            type=float,
            default=60,
            help=(
                "How long the load lasts once every user has logged in, longer if some page "
                "has not been answered yet (default %(default)s)."
            ),
        )
        parser.add_argument(
            "--think-time",
            type=float,
            nargs=2,
            default=[1.0, 2.0],
            metavar=("MIN", "MAX"),
            help="Seconds a user waits between two pages (default 1 2).",
        )
        parser.add_argument(
            "--settle-seconds",
            type=float,
            default=SETTLE_MAX_SECONDS,
            help="After building a size and its check, and vacuuming the database, how long at "
            f"most to wait for the 1-minute load average to fall below {SETTLE_LOAD} before "
            "timing it (default %(default)s).",
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Use a bench portfolio of either size already in the database instead of "
            "building it again; that size is measured first.",
        )
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Keep the bench rows (of the size measured last) and their checks.",
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_pages needs PostgreSQL: set DATABASE_URL=postgres://…")
        for name in POSITIVE_OPTIONS:
            if options[name] <= 0:
                raise CommandError(f"--{name.replace('_', '-')} must be more than 0")
        least, most = options["think_time"]
        if not 0 <= least <= most:
            raise CommandError("--think-time takes MIN and MAX seconds, 0 <= MIN <= MAX")

        roll_up = bench.Sizes()
        sizes = {
            SMALL: roll_up.scaled(options["small_fraction"]),
            LARGE: roll_up.scaled(options["large_fraction"]),
        }
        order = [SMALL, LARGE]
        if options["reuse"] and bench.portfolio_sizes() == sizes[LARGE].as_built():
            order.reverse()

        logs = Path(tempfile.mkdtemp(prefix="bench-pages-logs-"))
        user, password = consultant_create()
        session_keys = []
        # What else slows the pages down: other processes on the machine; and what the check
        # costs that the pages read.
        facts = {
            "cpus": os.cpu_count(),
            "load_average_1_min": {},
            "coverage_check_seconds": {},
            "settle_seconds": {},
        }
        try:
            pages, figures, load = self.measure(
                order, sizes, user, password, session_keys, facts, logs, options
            )
        except (BenchError, LoginFailed) as error:
            raise CommandError(f"{error}\ngunicorn's logs are kept in {logs}") from error
        finally:
            consultant_remove(session_keys=session_keys)
            if not options["keep"]:
                self.stderr.write(f"Deleted {bench.clear()} bench rows.")

        lines = report_lines(
            pages=pages,
            small=figures[SMALL],
            large=figures[LARGE],
            load=load,
            run={
                "sizes": {label: dataclasses.asdict(size) for label, size in sizes.items()},
                "workers": options["workers"],
                "repeat": options["repeat"],
                "users": options["users"],
                "load_seconds": options["load_seconds"],
                "think_time": options["think_time"],
                **facts,
            },
        )
        for line in lines:
            self.stdout.write(json.dumps(line))
        failures = lines[-1]["failures"]
        if failures:
            raise CommandError(
                f"{len(failures)} failures (gunicorn's logs are kept in {logs}): "
                + "; ".join(failures)
            )
        shutil.rmtree(logs)

    def measure(self, order, sizes, user, password, session_keys, facts, logs, options):
        """Each size in turn on a gunicorn of its own, the load phase at the large one; returns
        the pages (of the large size), the figures by size and the load phase's figures."""
        today = timezone.localdate()
        pages, figures, load = {}, {}, None
        with tempfile.TemporaryDirectory(prefix="bench-pages-") as folder:
            environment = production_environment(static_root=Path(folder) / "static")
            static_collect(environment)
            for label in order:
                self.portfolio(label, sizes[label], today, reuse=options["reuse"])
                check, seconds = self.check_record(label, today)
                facts["coverage_check_seconds"][label] = seconds
                pages[label] = bench_pages(check=check, day=today)
                facts["settle_seconds"][label] = database_settle(at_most=options["settle_seconds"])
                with gunicorn_server(
                    environment=environment,
                    workers=options["workers"],
                    log_path=logs / f"gunicorn-{label}.log",
                ) as server:
                    self.stderr.write(f"{label}: timing {len(pages[label])} pages.")
                    facts["load_average_1_min"][label] = os.getloadavg()[0]
                    figures[label] = size_measure(
                        server=server,
                        pages=pages[label],
                        user=user,
                        password=password,
                        repeat=options["repeat"],
                        session_keys=session_keys,
                    )
                    failed = bool(failures_of(label, figures[label]))
                    if label == LARGE:
                        self.stderr.write(
                            f"{label}: load phase, {options['users']} users for "
                            f"{options['load_seconds']:g} s."
                        )
                        load = load_run(
                            server=server,
                            pages=pages[label],
                            username=user.username,
                            password=password,
                            users=options["users"],
                            seconds=options["load_seconds"],
                            think=options["think_time"],
                        )
                        session_keys += load["session_keys"]
                        facts["load_average_1_min"]["after_load_phase"] = os.getloadavg()[0]
                        failed = failed or bool(load["errors"] or load["login_errors"])
                    if failed:
                        errors = "\n".join(server.log_errors())
                        self.stderr.write(f"gunicorn's errors ({label}):\n{errors}")
        return pages[LARGE], figures, load

    def check_record(self, label, day) -> tuple[CoverageCheck, float]:
        """The check the pages read, and how long it took."""
        started = time.perf_counter()
        check = coverage_check_run(day=day, trigger=CoverageCheck.Trigger.MANUAL)
        seconds = round(time.perf_counter() - started, 1)
        self.stderr.write(f"{label}: recorded coverage check {check.pk} in {seconds} s.")
        return check, seconds

    def portfolio(self, label, sizes, day, *, reuse) -> None:
        """The bench portfolio at `sizes`: the one in the database, or built anew."""
        if reuse and bench.portfolio_sizes() == sizes.as_built():
            self.stderr.write(f"{label}: reusing the bench portfolio in the database.")
        else:
            started = time.perf_counter()
            bench.clear()
            bench.build(sizes=sizes, day=day)
            self.stderr.write(
                f"{label}: built the bench portfolio ({sizes.agreements} agreements) in "
                f"{time.perf_counter() - started:.1f} s."
            )
