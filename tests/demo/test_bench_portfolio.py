import datetime

import pytest
from django.conf import settings

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.models import (
    CheckedAgreement,
    CheckedRequirement,
    CheckedSkill,
    CoverageCheck,
    CoverageFlag,
)
from agreements.models import Agreement
from clients.models import Client
from demo import bench
from skills.models import (
    OnCallMember,
    OnCallOverride,
    OnCallRota,
    Skill,
    Technician,
    TechnicianSkill,
    TimeOff,
    WorkingHours,
)
from tests.agreements.factories import AgreementFactory, CoverageFlagFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 26)
SMALL = bench.Sizes(
    clients=4,
    agreements=8,
    technicians=5,
    skills=6,
    requirements=30,
    technician_skills=12,
    rotas=2,
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
        rotas=1,
    )


def test_scaled_sizes_keep_at_least_one_of_each():
    assert bench.Sizes().scaled(0.0001) == bench.Sizes(
        clients=1,
        agreements=3,
        technicians=1,
        skills=1,
        requirements=15,
        technician_skills=2,
        rotas=1,
    )


def test_portfolio_sizes_are_what_build_wrote():
    sizes = bench.Sizes(
        clients=3,
        agreements=5,
        technicians=4,
        skills=2,
        requirements=9,
        technician_skills=20,
        rotas=2,
    )
    bench.build(sizes=sizes, day=DAY)

    assert bench.portfolio_sizes() == sizes.as_built()
    assert bench.portfolio_sizes().technician_skills == 8  # 4 technicians knowing 2 skills


def test_the_portfolio_has_the_team_time():
    sizes = bench.Sizes(
        clients=40,
        agreements=400,
        technicians=100,
        skills=10,
        requirements=400,
        technician_skills=300,
        rotas=10,
    )
    written = bench.build(sizes=sizes, day=DAY)

    zones = set(bench.zones())
    assert len(zones) == 4 and settings.TIME_ZONE in zones
    assert set(Technician.objects.values_list("time_zone", flat=True)) == zones
    assert set(Client.objects.values_list("time_zone", flat=True)) == zones
    assert WorkingHours.objects.values("technician").distinct().count() > 70
    away = TimeOff.objects.all()
    assert away.count() == written["technicians_on_time_off"] == 5
    horizon = DAY + datetime.timedelta(days=bench.WINDOW_DAYS)
    assert all(DAY <= off.first_day < horizon for off in away)
    assert OnCallRota.objects.count() == 10
    assert OnCallMember.objects.count() == 10 * bench.ROTA_MEMBERS
    assert OnCallOverride.objects.count() == 10 * bench.OVERRIDES_PER_ROTA
    longer = Agreement.objects.exclude(support_hours=Agreement.SupportHours.BUSINESS).count()
    assert 0.2 <= longer / 400 <= 0.4


def test_the_rotas_crews_hold_the_skills_they_answer_for():
    sizes = bench.Sizes(
        clients=10,
        agreements=40,
        technicians=100,
        skills=30,
        requirements=100,
        technician_skills=600,
        rotas=3,
    )
    bench.build(sizes=sizes, day=DAY)

    answered_for = set()
    for rota in OnCallRota.objects.all():
        crew = set(rota.members.values_list("technician", flat=True))
        held = [
            set(
                TechnicianSkill.objects.filter(technician=pk, level__gte=4).values_list(
                    "skill", flat=True
                )
            )
            for pk in crew
        ]
        shared = set.intersection(*held)
        assert len(shared) == 10  # a third of the skills each
        answered_for |= shared
        assert set(rota.overrides.values_list("technician", flat=True)) <= crew
    assert answered_for == set(Skill.objects.values_list("pk", flat=True))
    assert TechnicianSkill.objects.count() == 600


def test_clear_removes_the_team_time():
    bench.build(sizes=SMALL, day=DAY)

    bench.clear()

    for model in bench.TIME_MODELS:
        assert not model.objects.exists(), model


def test_without_time_takes_the_team_time_away_inside_only():
    bench.build(sizes=SMALL, day=DAY)
    zones = sorted(Technician.objects.values_list("time_zone", flat=True))
    rows = {model: model.objects.count() for model in bench.TIME_MODELS}

    with bench.without_time():
        assert not any(model.objects.exists() for model in bench.TIME_MODELS)
        assert set(Technician.objects.values_list("time_zone", flat=True)) == {settings.TIME_ZONE}
        assert set(Client.objects.values_list("time_zone", flat=True)) == {settings.TIME_ZONE}

    assert sorted(Technician.objects.values_list("time_zone", flat=True)) == zones
    assert {model: model.objects.count() for model in bench.TIME_MODELS} == rows


def test_portfolio_sizes_are_zero_without_a_portfolio():
    assert bench.portfolio_sizes() == bench.Sizes(0, 0, 0, 0, 0, 0, 0)


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
