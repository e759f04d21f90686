import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DataError, transaction
from hypothesis import given, settings

from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.models import CoverageFlag, CoverageRun
from agreements.models import Agreement, Requirement
from clients.models import Client
from demo.management.commands import bench_coverage
from demo.management.commands.bench_coverage import sql_floor
from skills.models import OnCallRota, Skill, Technician, TimeOff, WorkingHours
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
    "rotas": 2,
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


def test_bench_prints_the_evaluation_with_and_without_the_team_time_and_the_targets():
    report = json.loads(bench(**SMALL))

    assert report["sizes"]["rotas"] == 2 and report["sizes"]["working_hours"] > 0
    assert set(report["counts_without_time"]) == set(report["counts"])
    for key in ("seconds", "seconds_without_time", "time_rules_ratio", "nightly_run_seconds"):
        assert isinstance(report[key], float) and report[key] >= 0, key
    assert report["nightly_run_peak_memory_mib"] > 0
    assert report["engine_with_time_to_sql_ratio"] > 0
    assert set(report["targets"]) == {
        "engine_without_time_within_2x_sql_floor",
        "time_rules_within_2x_without",
        "nightly_run_within_10_s",
        "nightly_run_peak_within_512_mib",
    }
    assert all(isinstance(met, bool) for met in report["targets"].values())
    assert report["targets_met"] == all(report["targets"].values())


def test_bench_leaves_the_team_time_as_built_after_measuring_without_it():
    bench("--keep", **SMALL)

    assert WorkingHours.objects.exists() and OnCallRota.objects.count() == 2
    assert TimeOff.objects.count() == 0  # 5 % of 5 technicians rounds to none
    assert len(set(Technician.objects.values_list("time_zone", flat=True))) == 4


def test_scale_multiplies_every_size_and_a_size_given_wins():
    report = json.loads(bench("--scale", "0.001", "--technicians", "7"))

    assert report["scale"] == 0.001
    assert (report["sizes"]["agreements"], report["sizes"]["technicians"]) == (30, 7)
    assert report["sizes"]["rotas"] == 1


def test_a_failed_nightly_run_is_printed_with_the_other_figures_then_stops_the_bench(
    monkeypatch,
):
    def fails(**kwargs):
        raise DataError("value too long for type character varying(500)")

    monkeypatch.setattr(bench_coverage, "coverage_run_execute", fails)
    out = io.StringIO()

    with pytest.raises(CommandError, match="nightly run failed: DataError: value too long"):
        call_command("bench_coverage", stdout=out, stderr=io.StringIO(), **SMALL)

    report = json.loads(out.getvalue())
    assert report["nightly_run_error"].startswith("DataError: value too long")
    assert report["nightly_run_seconds"] is None and report["seconds"] >= 0
    assert report["targets"]["nightly_run_within_10_s"] is False
    assert report["targets_met"] is False


def test_scale_must_be_positive():
    with pytest.raises(CommandError, match="--scale"):
        bench("--scale", "0")


def test_bench_run_takes_the_engine_query_count_with_and_without_the_team_time():
    report = json.loads(bench(**SMALL))

    assert (report["queries"], report["queries_without_time"]) == (14, 14)


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
