import io
import json

import pytest
from django.core.management import CommandError, call_command

from agreements.models import Agreement, CoverageFlag, CoverageRun, Requirement
from clients.models import Client
from skills.models import Skill, Technician
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
    assert json.loads(bench(**SMALL))["queries"] == 8


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
