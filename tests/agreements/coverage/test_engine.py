import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.models import CoverageStatus, RiskKind
from agreements.models import Agreement
from skills.models import Technician
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    SkillVersionFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 26)
WINDOW = 60
HORIZON = DAY + datetime.timedelta(days=WINDOW)  # 2027-01-25

COVERED = CoverageStatus.COVERED
AT_RISK = CoverageStatus.AT_RISK
UNCOVERED = CoverageStatus.UNCOVERED
NOT_ASSESSED = CoverageStatus.NOT_ASSESSED
THIN = RiskKind.THIN
LAPSING = RiskKind.LAPSING


def days(n):
    return datetime.timedelta(days=n)


def evaluate(**kwargs):
    kwargs.setdefault("warning_days", WINDOW)
    return evaluate_coverage(day=DAY, **kwargs)


def coverage_of(requirement, **kwargs):
    result = evaluate(**kwargs)
    return next(r for r in result.requirements if r.requirement_id == requirement.pk)


def agreement_coverage(agreement, **kwargs):
    result = evaluate(**kwargs)
    return next(a for a in result.agreements if a.agreement_id == agreement.pk)


def technician_with(skill, *, level=3, oldest=None, newest=None, **technician_fields):
    technician = TechnicianFactory(**technician_fields)
    TechnicianSkillFactory(
        technician=technician,
        skill=skill,
        level=level,
        oldest_version=oldest,
        newest_version=newest,
    )
    return technician


@pytest.fixture
def exchange_versions(exchange):
    return {
        label: SkillVersionFactory(skill=exchange, label=label, rank=rank)
        for rank, label in enumerate(["2013", "2016", "2019", "SE"], start=1)
    }


@pytest.fixture
def ccna():
    return CertificationFactory(name="CCNA", issuer="Cisco", validity_months=36)


# ----------------------------------------------------------------------------- skills and levels


def test_uncovered_when_no_technician_has_the_skill(exchange):
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    assert coverage_of(requirement).status == UNCOVERED


def test_uncovered_reason_names_skill_version_and_level(exchange, exchange_versions):
    requirement = RequirementFactory(skill=exchange, version=exchange_versions["2016"])

    assert (
        coverage_of(requirement).reason
        == "No active technician has Exchange 2016 at level 3 or above"
    )


def test_uncovered_when_only_technician_is_below_the_level(exchange):
    technician_with(exchange, level=2)
    requirement = RequirementFactory(skill=exchange, min_level=3, min_technicians=1)

    assert coverage_of(requirement).status == UNCOVERED


def test_technician_at_exactly_the_level_qualifies(exchange):
    technician_with(exchange, level=3)
    requirement = RequirementFactory(skill=exchange, min_level=3, min_technicians=1)

    assert coverage_of(requirement).status == COVERED


def test_uncovered_when_client_version_is_older_than_the_oldest_known(exchange, exchange_versions):
    technician_with(exchange, oldest=exchange_versions["2016"], newest=exchange_versions["SE"])
    requirement = RequirementFactory(
        skill=exchange, version=exchange_versions["2013"], min_technicians=1
    )

    assert coverage_of(requirement).status == UNCOVERED


def test_uncovered_when_client_version_is_newer_than_the_newest_known(exchange, exchange_versions):
    technician_with(exchange, oldest=exchange_versions["2013"], newest=exchange_versions["2016"])
    requirement = RequirementFactory(
        skill=exchange, version=exchange_versions["2019"], min_technicians=1
    )

    assert coverage_of(requirement).status == UNCOVERED


def test_versions_at_both_bounds_are_covered(exchange, exchange_versions):
    technician_with(exchange, oldest=exchange_versions["2016"], newest=exchange_versions["2019"])
    at_oldest = RequirementFactory(
        skill=exchange, version=exchange_versions["2016"], min_technicians=1
    )
    at_newest = RequirementFactory(
        skill=exchange, version=exchange_versions["2019"], min_technicians=1
    )

    assert (coverage_of(at_oldest).status, coverage_of(at_newest).status) == (COVERED, COVERED)


def test_open_oldest_bound_covers_any_older_version(exchange, exchange_versions):
    technician_with(exchange, oldest=None, newest=exchange_versions["2019"])
    requirement = RequirementFactory(
        skill=exchange, version=exchange_versions["2013"], min_technicians=1
    )

    assert coverage_of(requirement).status == COVERED


def test_open_newest_bound_covers_any_newer_version(exchange, exchange_versions):
    technician_with(exchange, oldest=exchange_versions["2016"], newest=None)
    requirement = RequirementFactory(
        skill=exchange, version=exchange_versions["SE"], min_technicians=1
    )

    assert coverage_of(requirement).status == COVERED


def test_requirement_without_version_accepts_any_version_range(exchange, exchange_versions):
    technician_with(exchange, oldest=exchange_versions["2016"], newest=exchange_versions["2016"])
    requirement = RequirementFactory(skill=exchange, version=None, min_technicians=1)

    assert coverage_of(requirement).status == COVERED


# ------------------------------------------------------------------------------- certifications


def certified(certification, *, expires_on=None, **technician_fields):
    technician = TechnicianFactory(**technician_fields)
    TechnicianCertificationFactory(
        technician=technician, certification=certification, expires_on=expires_on
    )
    return technician


def test_uncovered_reason_names_the_missing_certification(ccna):
    requirement = RequirementFactory(skill=None, certification=ccna)

    assert coverage_of(requirement).reason == "No active technician holds CCNA"


def test_expired_certification_does_not_qualify(ccna):
    certified(ccna, expires_on=DAY - days(1))
    requirement = RequirementFactory(skill=None, certification=ccna, min_technicians=1)

    assert coverage_of(requirement).status == UNCOVERED


def test_certification_expiring_on_the_day_still_qualifies(ccna):
    certified(ccna, expires_on=DAY)
    requirement = RequirementFactory(skill=None, certification=ccna, min_technicians=1)

    assert coverage_of(requirement).qualified_count == 1


def test_at_risk_when_certification_expires_inside_the_window(ccna):
    certified(ccna, expires_on=DAY + days(30))
    requirement = RequirementFactory(skill=None, certification=ccna, min_technicians=1)

    assert coverage_of(requirement).status == AT_RISK


def test_lapse_reason_states_the_lapse_and_the_expiry_dates(ccna):
    certified(ccna, name="Dana Ortiz", expires_on=datetime.date(2027, 1, 15))
    requirement = RequirementFactory(skill=None, certification=ccna, min_technicians=1)

    coverage = coverage_of(requirement)

    assert (coverage.lapses_on, coverage.reason) == (
        datetime.date(2027, 1, 16),
        "Coverage lapses on 16 Jan 2027: Dana Ortiz's CCNA expires on 15 Jan 2027",
    )


def test_certification_expiring_on_the_last_day_of_the_window_stays_covered(ccna):
    certified(ccna, expires_on=HORIZON)
    requirement = RequirementFactory(skill=None, certification=ccna, min_technicians=1)

    assert coverage_of(requirement).status == COVERED


def test_certification_without_expiry_is_covered(ccna):
    certified(ccna, expires_on=None)
    requirement = RequirementFactory(skill=None, certification=ccna, min_technicians=1)

    assert coverage_of(requirement).status == COVERED


def test_requirement_with_skill_and_certification_needs_both_on_one_technician(exchange, ccna):
    technician_with(exchange, level=4)
    certified(ccna)
    requirement = RequirementFactory(skill=exchange, certification=ccna, min_technicians=1)

    assert coverage_of(requirement).status == UNCOVERED


def test_requirement_with_skill_and_certification_covered_by_a_technician_with_both(exchange, ccna):
    technician = technician_with(exchange, level=4)
    TechnicianCertificationFactory(technician=technician, certification=ccna)
    requirement = RequirementFactory(skill=exchange, certification=ccna, min_technicians=1)

    assert coverage_of(requirement).status == COVERED


def test_reason_for_skill_and_certification_names_both(exchange, ccna):
    requirement = RequirementFactory(skill=exchange, certification=ccna, min_level=4)

    assert (
        coverage_of(requirement).reason
        == "No active technician has Exchange at level 4 or above and holds CCNA"
    )


def test_label_names_skill_version_level_and_certification(exchange, exchange_versions, ccna):
    requirement = RequirementFactory(
        skill=exchange, version=exchange_versions["2016"], certification=ccna
    )

    assert coverage_of(requirement).label == "Exchange 2016 at level 3+ and CCNA"


# ------------------------------------------------------------------------- technician presence


def test_departing_technician_puts_coverage_at_risk(exchange):
    technician_with(exchange, available_until=DAY + days(20))
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    assert coverage_of(requirement).status == AT_RISK


def test_coverage_lapses_the_day_after_the_last_working_day(exchange):
    technician_with(exchange, name="Dana Ortiz", available_until=datetime.date(2027, 2, 28))
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    coverage = coverage_of(requirement, warning_days=120)

    assert (coverage.lapses_on, coverage.reason) == (
        datetime.date(2027, 3, 1),
        "Coverage lapses on 1 Mar 2027: Dana Ortiz's last day is 28 Feb 2027",
    )


def test_lapse_reason_joins_every_cause_on_that_date(ccna):
    certified(ccna, name="Bo Park", expires_on=datetime.date(2027, 2, 28))
    certified(ccna, name="Ann Lee", available_until=datetime.date(2027, 2, 28))
    requirement = RequirementFactory(skill=None, certification=ccna, min_technicians=1)

    assert coverage_of(requirement, warning_days=120).reason == (
        "Coverage lapses on 1 Mar 2027: Ann Lee's last day is 28 Feb 2027 "
        "and Bo Park's CCNA expires on 28 Feb 2027"
    )


def test_technician_whose_last_working_day_is_the_day_qualifies(exchange):
    technician = technician_with(exchange, available_until=DAY)
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    coverage = coverage_of(requirement)

    assert (coverage.qualified_ids, coverage.lapses_on) == ((technician.pk,), DAY + days(1))


def test_technician_whose_last_working_day_has_passed_does_not_qualify(exchange):
    technician_with(exchange, available_until=DAY - days(1))
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    assert coverage_of(requirement).status == UNCOVERED


def test_last_working_day_on_the_last_day_of_the_window_keeps_coverage(exchange):
    technician_with(exchange, available_until=HORIZON)
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    coverage = coverage_of(requirement)

    assert (coverage.status, coverage.lasting_count) == (COVERED, 1)


def test_last_working_day_the_day_before_the_window_ends_is_at_risk(exchange):
    technician_with(exchange, available_until=HORIZON - days(1))
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    coverage = coverage_of(requirement)

    assert (coverage.status, coverage.lasting_count, coverage.lapses_on) == (AT_RISK, 0, HORIZON)


def test_technician_on_leave_does_not_qualify(exchange):
    technician_with(exchange, status=Technician.Status.ON_LEAVE)
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    assert coverage_of(requirement).status == UNCOVERED


def test_departed_technician_does_not_qualify(exchange):
    technician_with(exchange, status=Technician.Status.DEPARTED)
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    assert coverage_of(requirement).status == UNCOVERED


def test_excluded_technician_is_treated_as_gone(exchange):
    technician = technician_with(exchange)
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    assert coverage_of(requirement, exclude_technician_ids=[technician.pk]).status == UNCOVERED


def test_excluding_one_technician_leaves_the_others_counted(exchange):
    leaving = technician_with(exchange)
    staying = technician_with(exchange)
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    coverage = coverage_of(requirement, exclude_technician_ids=[leaving.pk])

    assert coverage.qualified_ids == (staying.pk,)


# -------------------------------------------------------------------------- min_technicians


def test_one_qualified_technician_covers_a_requirement_needing_one(exchange):
    technician_with(exchange)
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    assert coverage_of(requirement).status == COVERED


def test_one_qualified_technician_is_at_risk_when_two_are_needed(exchange):
    technician_with(exchange)
    requirement = RequirementFactory(skill=exchange, min_technicians=2)

    assert coverage_of(requirement).status == AT_RISK


def test_single_point_of_failure_names_the_technician_without_lapse_date(exchange):
    technician_with(exchange, name="Dana Ortiz")
    requirement = RequirementFactory(skill=exchange, min_technicians=2)

    coverage = coverage_of(requirement)

    assert (coverage.reason, coverage.lapses_on) == ("Only Dana Ortiz qualifies (2 needed)", None)


def test_single_point_of_failure_lists_every_qualified_technician(exchange):
    technician_with(exchange, name="Dana Ortiz")
    technician_with(exchange, name="Sam Lee")
    requirement = RequirementFactory(skill=exchange, min_technicians=3)

    assert coverage_of(requirement).reason == "Only Dana Ortiz and Sam Lee qualify (3 needed)"


def test_two_qualified_technicians_cover_a_requirement_needing_two(exchange):
    technician_with(exchange)
    technician_with(exchange)
    requirement = RequirementFactory(skill=exchange, min_technicians=2)

    assert coverage_of(requirement).status == COVERED


def test_qualified_technicians_are_listed_by_name(exchange):
    technician_with(exchange, name="Zoe Park")
    technician_with(exchange, name="Ann Lee")
    requirement = RequirementFactory(skill=exchange)

    assert coverage_of(requirement).qualified_names == ("Ann Lee", "Zoe Park")


def test_counts_qualified_today_and_still_qualified_after_the_window(exchange):
    technician_with(exchange)
    technician_with(exchange, available_until=DAY + days(5))
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    coverage = coverage_of(requirement)

    assert (coverage.qualified_count, coverage.lasting_count) == (2, 1)


# ---------------------------------------------------------------------------------- lapses_on


def test_lapses_on_is_the_first_day_the_count_drops_below_the_minimum(exchange):
    technician_with(exchange, name="Early Leaver", available_until=DAY + days(10))
    technician_with(exchange, name="Late Leaver", available_until=DAY + days(20))
    technician_with(exchange, name="Stayer")
    requirement = RequirementFactory(skill=exchange, min_technicians=2)

    assert coverage_of(requirement).lapses_on == DAY + days(21)


def test_lapse_reason_names_the_technician_whose_departure_breaks_coverage(exchange):
    technician_with(exchange, name="Early Leaver", available_until=DAY + days(10))
    technician_with(exchange, name="Late Leaver", available_until=DAY + days(20))
    technician_with(exchange, name="Stayer")
    requirement = RequirementFactory(skill=exchange, min_technicians=2)

    assert coverage_of(requirement).reason == (
        "Coverage lapses on 17 Dec 2026: Late Leaver's last day is 16 Dec 2026"
    )


def test_lapse_takes_the_earlier_of_departure_and_certification_expiry(exchange, ccna):
    technician = technician_with(exchange, available_until=DAY + days(40))
    TechnicianCertificationFactory(
        technician=technician, certification=ccna, expires_on=DAY + days(15)
    )
    requirement = RequirementFactory(skill=exchange, certification=ccna, min_technicians=1)

    assert coverage_of(requirement).lapses_on == DAY + days(16)


def test_covered_requirement_has_no_lapse_date_or_reason(exchange):
    technician_with(exchange)
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    coverage = coverage_of(requirement)

    assert (coverage.lapses_on, coverage.reason) == (None, "")


def test_warning_days_default_to_the_setting(exchange, settings):
    settings.COVERAGE_WARNING_DAYS = 10
    technician_with(exchange, available_until=DAY + days(20))
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    assert coverage_of(requirement, warning_days=None).status == COVERED


def test_zero_warning_days_keep_a_technician_whose_last_day_is_today(exchange):
    technician_with(exchange, available_until=DAY)
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    assert coverage_of(requirement, warning_days=0).status == COVERED


def test_zero_warning_days_ignore_future_departures(exchange):
    technician_with(exchange, available_until=DAY + days(1))
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    assert coverage_of(requirement, warning_days=0).status == COVERED


# ---------------------------------------------------------------------------------- agreements


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Agreement.Status.DRAFT},
        {"status": Agreement.Status.CANCELLED},
        {"status": Agreement.Status.EXPIRED},
        {"start_date": DAY - days(365), "end_date": DAY - days(1)},
        {"start_date": DAY + days(1)},
    ],
    ids=["draft", "cancelled", "expired", "ended", "starting-later"],
)
def test_agreement_not_active_on_the_day_is_left_out(fields):
    AgreementFactory(**fields)

    assert evaluate().agreements == []


def test_agreement_ending_on_the_day_is_evaluated():
    agreement = AgreementFactory(start_date=DAY - days(365), end_date=DAY)

    assert [a.agreement_id for a in evaluate().agreements] == [agreement.pk]


def test_agreement_starting_on_the_day_is_evaluated():
    agreement = AgreementFactory(start_date=DAY)

    assert [a.agreement_id for a in evaluate().agreements] == [agreement.pk]


def test_agreement_without_requirements_is_not_assessed():
    agreement = AgreementFactory()

    assert agreement_coverage(agreement).status == NOT_ASSESSED


def test_agreement_takes_the_worst_status_of_its_requirements(exchange):
    technician_with(exchange)
    agreement = AgreementFactory()
    RequirementFactory(agreement=agreement, skill=exchange, min_technicians=1)
    RequirementFactory(agreement=agreement, skill=exchange, min_technicians=2)

    assert agreement_coverage(agreement).status == AT_RISK


def test_uncovered_requirement_outweighs_at_risk(exchange, ccna):
    technician_with(exchange)
    agreement = AgreementFactory()
    RequirementFactory(agreement=agreement, skill=exchange, min_technicians=2)
    RequirementFactory(agreement=agreement, skill=None, certification=ccna)

    assert agreement_coverage(agreement).status == UNCOVERED


def test_no_agreement_ids_evaluate_nothing():
    AgreementFactory()

    assert evaluate(agreement_ids=[]).agreements == []


def test_agreement_ids_narrow_the_evaluation():
    wanted = AgreementFactory()
    AgreementFactory()

    result = evaluate(agreement_ids=[wanted.pk])

    assert [a.agreement_id for a in result.agreements] == [wanted.pk]


def test_counts_agreements_per_status(exchange):
    technician_with(exchange)
    RequirementFactory(skill=exchange, min_technicians=1)
    RequirementFactory(skill=exchange, min_technicians=2)
    RequirementFactory(skill=SkillFactory())
    AgreementFactory()

    assert evaluate().counts == {
        COVERED: 1,
        AT_RISK: 1,
        UNCOVERED: 1,
        NOT_ASSESSED: 1,
    }


# ------------------------------------------------------------------------ kinds of at risk


def test_fewer_qualified_than_needed_is_thin(exchange):
    technician_with(exchange)
    requirement = RequirementFactory(skill=exchange, min_technicians=2)

    coverage = coverage_of(requirement)

    assert (coverage.status, coverage.risk_kind, coverage.risk_detail) == (
        AT_RISK,
        THIN,
        "only 1 of 2 qualify",
    )


def test_thin_requirement_that_also_lapses_is_thin(exchange, ccna):
    technician = technician_with(exchange)
    TechnicianCertificationFactory(
        technician=technician, certification=ccna, expires_on=DAY + days(15)
    )
    requirement = RequirementFactory(skill=exchange, certification=ccna, min_technicians=2)

    assert coverage_of(requirement).risk_kind == THIN


def test_enough_qualified_today_but_a_certification_expiring_inside_the_window_is_lapsing(ccna):
    TechnicianCertificationFactory(certification=ccna, expires_on=DAY + days(15))
    requirement = RequirementFactory(skill=None, certification=ccna, min_technicians=1)

    coverage = coverage_of(requirement)

    assert (coverage.status, coverage.risk_kind, coverage.risk_detail) == (
        AT_RISK,
        LAPSING,
        "covered through 11 Dec 2026",
    )


def test_enough_qualified_today_but_one_leaving_inside_the_window_is_lapsing(exchange):
    technician_with(exchange)
    technician_with(exchange, available_until=DAY + days(20))
    requirement = RequirementFactory(skill=exchange, min_technicians=2)

    assert coverage_of(requirement).risk_kind == LAPSING


@pytest.mark.parametrize("qualified, status", [(0, UNCOVERED), (1, COVERED)])
def test_requirements_not_at_risk_have_no_kind(exchange, qualified, status):
    for _ in range(qualified):
        technician_with(exchange)
    requirement = RequirementFactory(skill=exchange, min_technicians=1)

    coverage = coverage_of(requirement)

    assert (coverage.status, coverage.risk_kind, coverage.risk_detail) == (status, "", "")


@pytest.fixture
def thin_and_lapsing(exchange, ccna):
    """Exchange rests on Dana alone (2 needed: thin); the CCNA, on Sam, whose CCNA expires
    inside the window (1 needed: lapsing)."""
    technician_with(exchange, name="Dana Ortiz")
    sam = TechnicianFactory(name="Sam Lee")
    TechnicianCertificationFactory(technician=sam, certification=ccna, expires_on=DAY + days(15))
    return {
        "thin": {"skill": exchange, "min_technicians": 2},
        "lapsing": {"skill": None, "certification": ccna, "min_technicians": 1},
    }


def test_agreement_is_thin_when_any_of_its_at_risk_requirements_is_thin(thin_and_lapsing):
    agreement = AgreementFactory()
    RequirementFactory(agreement=agreement, **thin_and_lapsing["lapsing"])
    RequirementFactory(agreement=agreement, **thin_and_lapsing["thin"])

    coverage = agreement_coverage(agreement)

    assert (coverage.status, coverage.risk_kind) == (AT_RISK, THIN)


def test_agreement_whose_at_risk_requirements_all_lapse_is_lapsing(thin_and_lapsing):
    agreement = AgreementFactory()
    RequirementFactory(agreement=agreement, **thin_and_lapsing["lapsing"])

    assert agreement_coverage(agreement).risk_kind == LAPSING


def test_uncovered_agreement_has_no_kind_even_with_a_thin_requirement(thin_and_lapsing):
    agreement = AgreementFactory()
    RequirementFactory(agreement=agreement, **thin_and_lapsing["thin"])
    RequirementFactory(agreement=agreement, skill=SkillFactory())

    coverage = agreement_coverage(agreement)

    assert (coverage.status, coverage.risk_kind) == (UNCOVERED, "")


def test_revenue_and_counts_at_risk_split_into_thin_and_lapsing(thin_and_lapsing):
    for value, kind in ((Decimal("10000.00"), "thin"), (Decimal("2500.00"), "lapsing")) * 2:
        RequirementFactory(agreement=AgreementFactory(annual_value=value), **thin_and_lapsing[kind])
    RequirementFactory(
        agreement=AgreementFactory(annual_value=Decimal("99.00")), skill=SkillFactory()
    )

    result = evaluate()

    assert (result.arr_thin, result.arr_lapsing, result.arr_at_risk, result.risk_counts) == (
        Decimal("20000.00"),
        Decimal("5000.00"),
        Decimal("25000.00"),
        {THIN: 2, LAPSING: 2},
    )


# ------------------------------------------------------------------------------------ revenue


@pytest.fixture
def priced_portfolio(exchange):
    """Covered $10,000, at risk $20,000, uncovered $40,000 and not assessed $80,000."""
    technician_with(exchange)
    RequirementFactory(
        agreement=AgreementFactory(annual_value=Decimal("10000.00")),
        skill=exchange,
        min_technicians=1,
    )
    RequirementFactory(
        agreement=AgreementFactory(annual_value=Decimal("20000.00")),
        skill=exchange,
        min_technicians=2,
    )
    RequirementFactory(
        agreement=AgreementFactory(annual_value=Decimal("40000.00")), skill=SkillFactory()
    )
    AgreementFactory(annual_value=Decimal("80000.00"))


def test_revenue_at_risk_from_uncovered_agreements(priced_portfolio):
    assert evaluate().arr_uncovered == Decimal("40000.00")


def test_revenue_at_risk_from_at_risk_agreements(priced_portfolio):
    assert evaluate().arr_at_risk == Decimal("20000.00")


def test_total_revenue_counts_every_active_agreement(priced_portfolio):
    AgreementFactory(annual_value=Decimal("5000.00"), status=Agreement.Status.DRAFT)

    assert evaluate().arr_total == Decimal("150000.00")


def test_total_revenue_includes_not_assessed_agreements():
    AgreementFactory(annual_value=Decimal("80000.00"))
    AgreementFactory(annual_value=Decimal("1000.00"), status=Agreement.Status.DRAFT)

    result = evaluate()

    assert (result.counts[NOT_ASSESSED], result.arr_total) == (1, Decimal("80000.00"))


def test_revenue_dependence_counts_an_agreement_once_per_skill(exchange, exchange_versions):
    agreement = AgreementFactory(annual_value=Decimal("12000.00"))
    RequirementFactory(agreement=agreement, skill=exchange, version=exchange_versions["2016"])
    RequirementFactory(agreement=agreement, skill=exchange, version=exchange_versions["2019"])
    RequirementFactory(agreement=AgreementFactory(annual_value=Decimal("3000.00")), skill=exchange)

    assert evaluate().revenue_dependence == {exchange.pk: Decimal("15000.00")}


def test_revenue_dependence_ignores_inactive_agreements(exchange):
    RequirementFactory(agreement=AgreementFactory(status=Agreement.Status.DRAFT), skill=exchange)

    assert evaluate().revenue_dependence == {}


# ---------------------------------------------------------------------------- nearest candidates


def test_nearest_candidates_are_listed_best_level_first(exchange, exchange_versions):
    technician_with(exchange, name="Basic Bea", level=2)
    technician_with(exchange, name="Aware Al", level=1)
    technician_with(
        exchange,
        name="Expert Eve",
        level=5,
        oldest=exchange_versions["2019"],
        newest=exchange_versions["SE"],
    )
    requirement = RequirementFactory(skill=exchange, version=exchange_versions["2016"])

    candidates = coverage_of(requirement).candidates

    assert [c.name for c in candidates] == ["Expert Eve", "Basic Bea", "Aware Al"]


def test_candidate_gap_names_the_missing_level(exchange):
    technician_with(exchange, level=2)
    requirement = RequirementFactory(skill=exchange, min_level=3)

    assert coverage_of(requirement).candidates[0].gap == "level 2 of 3 needed"


def test_candidate_gap_names_known_and_required_versions(exchange, exchange_versions):
    technician_with(
        exchange, level=4, oldest=exchange_versions["2019"], newest=exchange_versions["SE"]
    )
    requirement = RequirementFactory(skill=exchange, version=exchange_versions["2016"])

    assert coverage_of(requirement).candidates[0].gap == "knows 2019 – SE, client runs 2016"


def test_candidate_gap_names_a_missing_certification(exchange, ccna):
    technician_with(exchange, level=4)
    requirement = RequirementFactory(skill=exchange, certification=ccna)

    assert coverage_of(requirement).candidates[0].gap == "does not hold CCNA"


def test_unavailable_technicians_are_not_candidates(exchange):
    technician_with(exchange, level=2, status=Technician.Status.DEPARTED)
    requirement = RequirementFactory(skill=exchange)

    assert coverage_of(requirement).candidates == ()


def test_at_risk_requirement_lists_those_not_yet_qualified_as_candidates(exchange):
    technician_with(exchange, name="Sam Lee", level=3)
    technician_with(exchange, name="Dana Ortiz", level=2)
    requirement = RequirementFactory(skill=exchange, min_level=3, min_technicians=2)

    coverage = coverage_of(requirement)

    assert coverage.status == AT_RISK
    assert [(c.name, c.gap) for c in coverage.candidates] == [("Dana Ortiz", "level 2 of 3 needed")]


def test_covered_requirement_lists_no_candidates(exchange):
    technician_with(exchange, level=3)
    technician_with(exchange, level=2)
    requirement = RequirementFactory(skill=exchange, min_level=3, min_technicians=1)

    assert coverage_of(requirement).candidates == ()


# ---------------------------------------------------------------------- results built on access


def test_requirement_results_are_built_without_a_query(exchange):
    technician_with(exchange)
    RequirementFactory(skill=exchange, min_technicians=2)
    result = evaluate()

    with CaptureQueriesContext(connection) as queries:
        requirements = result.requirements

    assert (len(queries), [r.status for r in requirements]) == (0, [AT_RISK])


def test_non_covered_requirements_are_the_uncovered_and_at_risk_ones(exchange, ccna):
    technician_with(exchange)
    covered_agreement = AgreementFactory()
    RequirementFactory(agreement=covered_agreement, skill=exchange, min_technicians=1)
    mixed = AgreementFactory()
    RequirementFactory(agreement=mixed, skill=exchange, min_technicians=1)
    at_risk = RequirementFactory(agreement=mixed, skill=exchange, min_technicians=2)
    uncovered = RequirementFactory(skill=None, certification=ccna)

    result = evaluate()

    assert sorted(r.requirement_id for r in result.non_covered_requirements) == sorted(
        [at_risk.pk, uncovered.pk]
    )


def test_requirements_asking_the_same_share_an_outcome_but_keep_their_own_ids(exchange):
    technician_with(exchange)
    first = RequirementFactory(skill=exchange, min_technicians=1)
    second = RequirementFactory(skill=exchange, min_technicians=1)

    result = evaluate()

    assert {(r.requirement_id, r.agreement_id, r.status) for r in result.requirements} == {
        (first.pk, first.agreement_id, COVERED),
        (second.pk, second.agreement_id, COVERED),
    }


# ------------------------------------------------------------------------------- query count


def build_portfolio(size):
    """`size` agreements with two requirements each, `size` technicians with skills and certs."""
    skills = SkillFactory.create_batch(3)
    versions = [SkillVersionFactory(skill=skill) for skill in skills]
    certification = CertificationFactory()
    for index in range(size):
        skill = skills[index % 3]
        technician = technician_with(skill, level=1 + index % 5, oldest=versions[index % 3])
        TechnicianCertificationFactory(technician=technician, certification=certification)
        agreement = AgreementFactory()
        RequirementFactory(agreement=agreement, skill=skill, version=versions[index % 3])
        RequirementFactory(agreement=agreement, skill=None, certification=certification)


def count_queries_of_a_full_run():
    with CaptureQueriesContext(connection) as queries:
        evaluate()
    return len(queries)


def test_full_run_reads_each_table_once():
    build_portfolio(3)

    # agreements with their client, requirements, technicians, technician skills, technician
    # certifications, skills, versions, certifications; the team's time: working hours, time
    # off, rotas, rota members, rota hours, overrides
    assert count_queries_of_a_full_run() == 14


def test_query_count_does_not_grow_with_the_data():
    build_portfolio(3)
    small = count_queries_of_a_full_run()
    build_portfolio(27)

    assert count_queries_of_a_full_run() == small


def test_agreement_ids_given_as_a_queryset_add_no_query():
    build_portfolio(3)
    plain = count_queries_of_a_full_run()

    with CaptureQueriesContext(connection) as queries:
        evaluate(agreement_ids=Agreement.objects.values_list("pk", flat=True))

    assert len(queries) == plain
