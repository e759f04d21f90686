import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from agreements.models import Requirement
from tests.agreements.factories import (
    AgreementFactory,
    CoverageFlagFactory,
    RequirementFactory,
    ServiceFactory,
)
from tests.skills.factories import SkillFactory, SkillVersionFactory

BEFORE = [("agreements", "0016_check_looks_ahead")]
AFTER = [("agreements", "0018_runs_read_their_checks")]


def migrated_apps(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.fixture
def back_to_latest():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_a_run_finished_before_checks_keeps_its_figures_in_a_check_of_its_own(back_to_latest):
    old_apps = migrated_apps(BEFORE)
    now = timezone.now()
    old_apps.get_model("agreements", "CoverageRun").objects.create(
        run_date=datetime.date(2026, 3, 1),
        started_at=now,
        finished_at=now,
        agreements_count=8,
        uncovered_count=2,
        arr_total=Decimal("165000.00"),
        arr_uncovered=Decimal("41000.00"),
        new_flags_count=3,
    )
    old_apps.get_model("agreements", "CoverageRun").objects.create(
        run_date=datetime.date(2026, 3, 2), started_at=now
    )

    new_apps = migrated_apps(AFTER)

    runs = new_apps.get_model("agreements", "CoverageRun").objects.order_by("run_date")
    finished, unfinished = runs.select_related("coverage_check")
    check = finished.coverage_check
    assert (check.check_date, check.trigger) == (datetime.date(2026, 3, 1), "schedule")
    assert (check.agreements_count, check.uncovered_count, check.new_flags_count) == (8, 2, 3)
    assert (check.arr_total, check.arr_uncovered) == (Decimal("165000.00"), Decimal("41000.00"))
    assert unfinished.coverage_check is None


@pytest.mark.django_db(transaction=True)
def test_duplicate_derived_requirements_merge_into_the_flagged_one_at_the_highest_level(
    back_to_latest,
):
    migrated_apps([("agreements", "0018_runs_read_their_checks")])
    agreement = AgreementFactory()
    exchange = SkillFactory(name="Exchange Server")
    v2016 = SkillVersionFactory(skill=exchange, label="2016", rank=10)
    email = ServiceFactory(name="Email", min_level=2)
    servers = ServiceFactory(name="Servers", min_level=4)
    derived = {"agreement": agreement, "skill": exchange, "version": v2016, "source": "derived"}
    flagged = RequirementFactory(**derived, service=email, min_level=2)
    RequirementFactory(**derived, service=servers, min_level=4)
    backup = ServiceFactory(name="Backup", min_level=3)
    also_flagged = RequirementFactory(**derived, service=backup, min_level=3)
    flag_on_kept = CoverageFlagFactory(requirement=flagged)
    flag_on_merged = CoverageFlagFactory(requirement=also_flagged)
    manual = RequirementFactory(agreement=agreement, skill=exchange, version=v2016, min_level=1)

    migrated_apps([("agreements", "0020_derived_requirements_unique_per_skill_and_version")])

    kept = Requirement.objects.get(agreement=agreement, source="derived")
    assert (kept.pk, kept.min_level, kept.service_id) == (flagged.pk, 4, servers.pk)
    flag_on_merged.refresh_from_db()
    assert flag_on_merged.resolved_at is not None
    assert flag_on_merged.reason.startswith("Merged:")
    flag_on_kept.refresh_from_db()
    assert flag_on_kept.resolved_at is None
    assert Requirement.objects.get(pk=manual.pk).min_level == 1


@pytest.mark.django_db(transaction=True)
def test_versions_recorded_past_their_end_become_out_of_support_findings(back_to_latest):
    old_apps = migrated_apps([("agreements", "0022_text_fields_bounded_and_clean")])
    now = timezone.now()
    check = old_apps.get_model("agreements", "CoverageCheck").objects.create(
        check_date=datetime.date(2026, 8, 1),
        trigger="manual",
        started_at=now,
        finished_at=now,
        warning_days=60,
    )
    ending = {"2022": datetime.date(2025, 5, 31), "2024": datetime.date(2027, 5, 31)}
    for number, (label, end) in enumerate(ending.items(), start=1):
        old_apps.get_model("agreements", "CheckedEndOfSupport").objects.create(
            coverage_check=check,
            client_id=number,
            client_name="Kessler & Ng CPAs",
            skill_id=1,
            version_id=number,
            label=f"QuickBooks Desktop {label}",
            end_of_support=end,
            min_level=3,
            min_technicians=2,
            annual_value=Decimal("18000.00"),
        )

    new_apps = migrated_apps([("agreements", "0023_end_of_support_moves_to")])

    rows = new_apps.get_model("agreements", "CheckedEndOfSupport").objects.order_by("label")
    assert [(row.label, row.out_of_support, row.successor_supported) for row in rows] == [
        ("QuickBooks Desktop 2022", True, True),
        ("QuickBooks Desktop 2024", False, True),
    ]
