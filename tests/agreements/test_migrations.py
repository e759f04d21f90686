import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from factory.django import mute_signals

from agreements.models import Requirement
from skills.models import SkillVersion
from tests.agreements.factories import AgreementFactory, RequirementFactory, ServiceFactory
from tests.skills.factories import SkillFactory

BEFORE = [("agreements", "0016_check_looks_ahead")]
AFTER = [("agreements", "0018_runs_read_their_checks")]


def migrated_apps(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    return executor.loader.project_state(target).apps


def open_flag(apps, requirement, **fields):
    """An open flag on `requirement`, written with the models of `apps` (the tables as they
    were at that migration)."""
    now = timezone.now()
    fields = {
        "status": "uncovered",
        "reason": "No active technician has Exchange at level 3 or above",
        **fields,
    }
    return apps.get_model("agreements", "CoverageFlag").objects.create(
        agreement_id=requirement.agreement_id,
        requirement_id=requirement.pk,
        requirement_label=str(requirement),
        first_detected_at=now,
        last_seen_at=now,
        **fields,
    )


@pytest.fixture
def back_to_latest():
    """Back to the newest migration afterwards. Meanwhile the factories write rows through
    today's models without their signals, whose receivers count the change in a table that an
    older migration does not have yet."""
    with mute_signals(post_save, post_delete, m2m_changed):
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
    old_apps = migrated_apps([("agreements", "0018_runs_read_their_checks")])
    agreement = AgreementFactory()
    exchange = SkillFactory(name="Exchange Server")
    # Written with the version table as it was then (later migrations add columns to it), and
    # used through today's model without reading it back.
    row = old_apps.get_model("skills", "SkillVersion").objects.create(
        skill_id=exchange.pk, label="2016", rank=10
    )
    v2016 = SkillVersion(pk=row.pk, skill=exchange, label="2016", rank=10)
    email = ServiceFactory(name="Email", min_level=2)
    servers = ServiceFactory(name="Servers", min_level=4)
    derived = {"agreement": agreement, "skill": exchange, "version": v2016, "source": "derived"}
    flagged = RequirementFactory(**derived, service=email, min_level=2)
    RequirementFactory(**derived, service=servers, min_level=4)
    backup = ServiceFactory(name="Backup", min_level=3)
    also_flagged = RequirementFactory(**derived, service=backup, min_level=3)
    flag_on_kept = open_flag(old_apps, flagged)
    flag_on_merged = open_flag(old_apps, also_flagged)
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


@pytest.mark.django_db(transaction=True)
def test_checks_and_flags_written_before_the_kinds_of_at_risk_get_them(back_to_latest):
    old_apps = migrated_apps([("agreements", "0024_report_test_emails_and_catalog_keepers")])
    thin = RequirementFactory(min_technicians=2, agreement__annual_value=Decimal("10000.00"))
    lapsing = RequirementFactory(min_technicians=1, agreement__annual_value=Decimal("2500.00"))
    uncovered = RequirementFactory()
    checks = old_apps.get_model("agreements", "CoverageCheck").objects
    now = timezone.now()
    figures = {"check_date": datetime.date(2026, 11, 26), "trigger": "schedule"}
    figures.update(started_at=now, finished_at=now, warning_days=60)
    check = checks.create(**figures, at_risk_count=2, arr_at_risk=Decimal("12500.00"))
    pruned = checks.create(**figures, at_risk_count=1, details_pruned_at=now)
    pruned_quiet = checks.create(**figures, at_risk_count=0, details_pruned_at=now)
    old_apps.get_model("agreements", "CheckedAgreement").objects.bulk_create(
        old_apps.get_model("agreements", "CheckedAgreement")(
            coverage_check_id=check.pk,
            agreement_id=requirement.agreement_id,
            status=status,
            annual_value=requirement.agreement.annual_value,
        )
        for requirement, status in (
            (thin, "at_risk"),
            (lapsing, "at_risk"),
            (uncovered, "uncovered"),
        )
    )
    old_apps.get_model("agreements", "CheckedRequirement").objects.bulk_create(
        old_apps.get_model("agreements", "CheckedRequirement")(
            coverage_check_id=check.pk,
            agreement_id=requirement.agreement_id,
            requirement_id=requirement.pk,
            label=str(requirement),
            status="at_risk",
            min_technicians=requirement.min_technicians,
            qualified_count=1,
            lasting_count=lasting,
            lapses_on=lapses_on,
            reason="",
        )
        for requirement, lasting, lapses_on in (
            (thin, 1, None),
            (lapsing, 0, datetime.date(2026, 12, 12)),
        )
    )
    thin_flag = open_flag(old_apps, thin, status="at_risk")
    lapsing_flag = open_flag(
        old_apps, lapsing, status="at_risk", lapses_on=datetime.date(2026, 12, 12)
    )
    uncovered_flag = open_flag(old_apps, uncovered)

    new_apps = migrated_apps([("agreements", "0025_risk_kinds")])

    def kinds(model, key):
        rows = new_apps.get_model("agreements", model).objects.values_list(key, "risk_kind")
        return dict(rows)

    new_checks = new_apps.get_model("agreements", "CoverageCheck").objects
    assert kinds("CheckedAgreement", "agreement_id") == {
        thin.agreement_id: "thin",
        lapsing.agreement_id: "lapsing",
        uncovered.agreement_id: "",
    }
    assert kinds("CheckedRequirement", "requirement_id") == {
        thin.pk: "thin",
        lapsing.pk: "lapsing",
    }
    assert kinds("CoverageFlag", "pk") == {
        thin_flag.pk: "thin",
        lapsing_flag.pk: "lapsing",
        uncovered_flag.pk: "",
    }
    assert dict(new_checks.values_list("pk", "thin_count")) == {
        check.pk: 1,
        pruned.pk: None,
        pruned_quiet.pk: 0,
    }
    assert new_checks.get(pk=check.pk).arr_thin == Decimal("10000.00")


@pytest.mark.django_db(transaction=True)
def test_checked_requirements_of_earlier_checks_take_their_agreements_recorded_value(
    back_to_latest,
):
    old_apps = migrated_apps([("agreements", "0032_import_kinds_partner_programmes")])
    dearer = RequirementFactory(agreement__annual_value=Decimal("48000.00"))
    cheaper = RequirementFactory(agreement__annual_value=Decimal("1800.00"))
    now = timezone.now()
    checks = old_apps.get_model("agreements", "CoverageCheck").objects
    first, second = (
        checks.create(
            check_date=day, trigger="schedule", started_at=now, finished_at=now, warning_days=60
        )
        for day in (datetime.date(2026, 11, 25), datetime.date(2026, 11, 26))
    )
    recorded = {
        (first, dearer): Decimal("36000.00"),
        (second, dearer): Decimal("48000.00"),
        (second, cheaper): Decimal("1800.00"),
    }
    for model in ("CheckedAgreement", "CheckedRequirement"):
        rows = old_apps.get_model("agreements", model)
        for check, requirement in recorded:
            fields = {"coverage_check_id": check.pk, "agreement_id": requirement.agreement_id}
            if model == "CheckedAgreement":
                fields["status"], fields["annual_value"] = "uncovered", recorded[check, requirement]
            else:
                fields.update(
                    requirement_id=requirement.pk,
                    label=str(requirement),
                    status="uncovered",
                    min_technicians=1,
                    qualified_count=0,
                    lasting_count=0,
                    reason="",
                )
            rows.objects.create(**fields)

    new_apps = migrated_apps([("agreements", "0033_checked_requirement_annual_value")])

    rows = new_apps.get_model("agreements", "CheckedRequirement").objects
    assert {
        (row.coverage_check_id, row.requirement_id): row.annual_value for row in rows.all()
    } == {(check.pk, requirement.pk): value for (check, requirement), value in recorded.items()}
