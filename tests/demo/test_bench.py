import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import given, settings

from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.models import CoverageFlag, CoverageRun
from agreements.models import Agreement, Requirement
from clients.models import Client
from demo.management.commands import bench_coverage
from demo.management.commands.bench_coverage import sql_floor
from skills.models import Skill, Technician
from tests.agreements.coverage.test_engine_property import DAY, build, live_portfolios
from tests.agreements.factories import RequirementFactory

pytestmark = pytest.mark.django_db

SMALL = {
    "clients": 4,
    "agreements": 8,
    "technicians": 5,
    "skills": 6,
    "requirements": 30,
    "technician_skills": 12,
}


def bench(*args, **options):
    out = io.StringIO()
    call_command("bench_coverage", *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def test_bench_prints_one_json_line():
    lines = bench(**SMALL).splitlines()

    assert len(lines) == 1 and json.loads(lines[0])["sizes"]["requirements"] == 30


def test_bench_reports_time_queries_and_memory():
    report = json.loads(bench(**SMALL))

    assert {"seconds", "queries", "peak_memory_mib", "max_rss_mib"} <= report.keys()


def test_bench_times_the_whole_nightly_run_and_rolls_it_back():
    report = json.loads(bench(**SMALL))

    assert report["nightly_run_seconds"] > 0 and report["nightly_run_queries"] > 8
    assert not CoverageRun.objects.exists() and not CoverageFlag.objects.exists()


def test_bench_run_takes_the_engine_query_count():
    assert json.loads(bench(**SMALL))["queries"] == 14  # eight reads and six of the team's time


def test_bench_removes_its_rows_afterwards():
    bench(**SMALL)

    assert (Client.objects.count(), Skill.objects.count(), Technician.objects.count()) == (0, 0, 0)


def test_bench_leaves_other_rows_alone():
    kept = RequirementFactory()

    bench(**SMALL)

    assert list(Requirement.objects.all()) == [kept]


def test_bench_keeps_its_rows_when_asked():
    bench("--keep", **SMALL)

    assert Agreement.objects.count() == 8


def test_clear_removes_kept_rows():
    bench("--keep", **SMALL)

    bench("--clear")

    assert Requirement.objects.count() == 0


def test_same_seed_builds_the_same_portfolio():
    first = json.loads(bench(**SMALL))
    second = json.loads(bench(**SMALL))

    assert (first["sizes"], first["counts"]) == (second["sizes"], second["counts"])


def test_bad_date_stops_the_bench():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        bench("--date", "26/11/2026")


def test_bench_times_the_engine_against_the_sql_floor():
    report = json.loads(bench(**SMALL))

    assert report["sql_floor_agrees"] is True
    assert all(
        isinstance(report[key], float) and report[key] >= 0
        for key in ("seconds", "materialised_seconds", "sql_floor_seconds")
    )
    assert isinstance(report["engine_to_sql_ratio"], float) and report["engine_to_sql_ratio"] > 0


def test_bench_stops_when_the_sql_floor_disagrees_with_the_engine(monkeypatch):
    def floor_off_by_one(**kwargs):
        counts = sql_floor(**kwargs)
        first = min(counts)
        counts[first] = (counts[first][0] + 1, counts[first][1])
        return counts

    monkeypatch.setattr(bench_coverage, "sql_floor", floor_off_by_one)

    with pytest.raises(CommandError, match="disagree on requirement"):
        bench(**SMALL)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None)
@given(live_portfolios())
def test_sql_floor_counts_what_the_engine_counts(portfolio):
    with transaction.atomic():
        keys = build(portfolio)
        result = evaluate_coverage(day=DAY, warning_days=portfolio["window"])
        floor = sql_floor(day=DAY, warning_days=portfolio["window"])
        transaction.set_rollback(True)

    assert floor == {
        r.requirement_id: (r.qualified_count, r.lasting_count) for r in result.requirements
    }
    assert floor.keys() <= set(keys["requirements"])
