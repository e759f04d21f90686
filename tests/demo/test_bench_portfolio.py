import datetime

import pytest

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import (
    CheckedAgreement,
    CheckedRequirement,
    CheckedSkill,
    CoverageCheck,
    CoverageFlag,
)
from agreements.models import Agreement
from demo import bench
from tests.agreements.factories import AgreementFactory, CoverageFlagFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 26)
SMALL = bench.Sizes(
    clients=4, agreements=8, technicians=5, skills=6, requirements=30, technician_skills=12
)


def check_run():
    return coverage_check_run(day=DAY, trigger=CoverageCheck.Trigger.MANUAL)


def test_scaled_sizes_are_the_fraction_of_each():
    assert bench.Sizes().scaled(0.1) == bench.Sizes(
        clients=1_000,
        agreements=3_000,
        technicians=100,
        skills=50,
        requirements=15_000,
        technician_skills=2_000,
    )


def test_scaled_sizes_keep_at_least_one_of_each():
    assert bench.Sizes().scaled(0.0001) == bench.Sizes(
        clients=1, agreements=3, technicians=1, skills=1, requirements=15, technician_skills=2
    )


def test_portfolio_sizes_are_what_build_wrote():
    sizes = bench.Sizes(
        clients=3, agreements=5, technicians=4, skills=2, requirements=9, technician_skills=20
    )
    bench.build(sizes=sizes, day=DAY)

    assert bench.portfolio_sizes() == sizes.as_built()
    assert bench.portfolio_sizes().technician_skills == 8  # 4 technicians knowing 2 skills


def test_portfolio_sizes_are_zero_without_a_portfolio():
    assert bench.portfolio_sizes() == bench.Sizes(0, 0, 0, 0, 0, 0)


def test_clear_removes_the_checks_of_the_bench_portfolio_and_their_flags():
    bench.build(sizes=SMALL, day=DAY)
    check_run()

    bench.clear()

    assert not CoverageCheck.objects.exists()
    assert not CoverageFlag.objects.exists()
    assert not CheckedAgreement.objects.exists()
    assert not CheckedRequirement.objects.exists()
    assert not CheckedSkill.objects.exists()


def test_clear_keeps_a_check_that_also_evaluated_other_agreements():
    other = AgreementFactory(start_date=DAY - datetime.timedelta(days=30))
    bench.build(sizes=SMALL, day=DAY)
    check = check_run()

    bench.clear()

    assert list(CoverageCheck.objects.all()) == [check]
    assert list(CheckedAgreement.objects.values_list("agreement", flat=True)) == [other.pk]


def test_clear_keeps_another_flag_resolved_by_a_bench_check():
    draft = AgreementFactory(status=Agreement.Status.DRAFT)
    flag = CoverageFlagFactory(requirement=None, agreement=draft)
    bench.build(sizes=SMALL, day=DAY)
    check_run()

    bench.clear()

    flag.refresh_from_db()
    assert flag.resolved_at is not None and flag.resolved_by_check is None
    assert not CoverageCheck.objects.exists()
