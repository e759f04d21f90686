import dataclasses
import datetime
import json
import resource
import sys
import time
import tracemalloc

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.runs import coverage_run_execute
from agreements.models import CoverageRun
from core.management.options import run_date_option
from demo import bench

DEFAULT_DAY = datetime.date(2026, 11, 26)


def mebibytes(size_in_bytes):
    return round(size_in_bytes / 2**20, 1)


def max_rss_bytes():
    """The process's peak resident set size: kilobytes on Linux, bytes on macOS."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


class Command(BaseCommand):
    help = (
        "Build a synthetic portfolio (rows marked “Bench …”), time a full coverage evaluation and "
        "print one JSON line: sizes, seconds, queries and peak memory."
    )

    def add_arguments(self, parser):
        defaults = bench.Sizes()
        for size in dataclasses.fields(bench.Sizes):
            parser.add_argument(
                f"--{size.name.replace('_', '-')}",
                type=int,
                default=getattr(defaults, size.name),
                help=f"How many {size.name.replace('_', ' ')} (default %(default)s).",
            )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--date",
            help=f"The day to evaluate, YYYY-MM-DD (default {DEFAULT_DAY.isoformat()}).",
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--keep", action="store_true", help="Keep the bench rows after measuring."
        )
        mode.add_argument(
            "--reuse",
            action="store_true",
            help="Measure the bench rows already in the database (kept by --keep); build nothing.",
        )
        mode.add_argument(
            "--clear", action="store_true", help="Only delete the bench rows, then stop."
        )

    def handle(self, *args, **options):
        day = run_date_option(options["date"], default=DEFAULT_DAY)
        if options["clear"]:
            self.stderr.write(f"Deleted {bench.clear()} bench rows.")
            return

        sizes = None
        if not options["reuse"]:
            bench.clear()
            started = time.perf_counter()
            sizes = bench.build(
                sizes=bench.Sizes(
                    **{f.name: options[f.name] for f in dataclasses.fields(bench.Sizes)}
                ),
                day=day,
                seed=options["seed"],
            )
            self.stderr.write(
                f"Built the bench portfolio in {time.perf_counter() - started:.1f} s."
            )

        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            result = evaluate_coverage(day=day)
            seconds = time.perf_counter() - started
        rss_after_run = max_rss_bytes()
        if options["verbosity"] >= 2:
            for query in queries.captured_queries:
                self.stderr.write(f"{query['time']} s  {query['sql'][:200]}")
        del result

        # A second, traced run: tracemalloc slows Python down, so it is not the timed one.
        tracemalloc.start()
        result = evaluate_coverage(day=day)
        traced_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

        nightly = self.measure_nightly_run(day)

        if not (options["keep"] or options["reuse"]):
            bench.clear()

        self.stdout.write(
            json.dumps(
                {
                    "database": connection.vendor,
                    "day": day.isoformat(),
                    "sizes": sizes or {"agreements_evaluated": len(result.agreements)},
                    "requirements_evaluated": len(result.requirements),
                    "counts": result.counts,
                    "seconds": round(seconds, 3),
                    "queries": len(queries),
                    "peak_memory_mib": mebibytes(traced_peak),
                    "peak_memory_measure": "tracemalloc peak of a full evaluation",
                    "max_rss_mib": mebibytes(rss_after_run),
                    "max_rss_measure": "ru_maxrss of the whole process, including the build",
                    **nightly,
                }
            )
        )

    def measure_nightly_run(self, day):
        """Time the whole nightly run (sync, evaluation, flags, run row), then roll it back."""
        with transaction.atomic():
            # Any earlier run of the day would make the claim a no-op; the rollback restores it.
            CoverageRun.objects.filter(run_date=day).delete()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                run = coverage_run_execute(run_date=day)
                seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        return {
            "nightly_run_seconds": round(seconds, 3),
            "nightly_run_queries": len(queries),
            "nightly_run_flags_opened": run.new_flags_count,
        }
