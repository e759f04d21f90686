import datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import timezone

from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.models import CoverageCheck, CoverageFlag
from agreements.coverage.runs import coverage_run_execute
from agreements.models import Agreement, Requirement
from agreements.planning.models import Competitor, CompetitorOffering
from clients.models import Client
from core.formatting import day_text
from demo.portfolio import holidays_off, seed_demo
from skills.models import (
    Certification,
    OnCallRota,
    Skill,
    SkillVersion,
    Technician,
    TechnicianCertification,
    TimeOff,
    TrainingGoal,
)
from skills.rotas import rota_periods, working_periods
from skills.weekly_patterns import pattern_text
from tests.clients.factories import ClientFactory

pytestmark = pytest.mark.django_db

ARR = Decimal("165000.00")


def run_seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def active_total():
    return Agreement.objects.filter(status=Agreement.Status.ACTIVE).aggregate(
        total=Sum("annual_value")
    )["total"]


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


@pytest.fixture
def demo():
    return run_seed()


def test_eight_active_clients(demo):
    assert Client.objects.filter(status=Client.Status.ACTIVE).count() == 8


def test_active_agreements_total_exactly_165000(demo):
    total = active_total()

    assert isinstance(total, Decimal)
    assert total == ARR
    assert "$165,000" in demo


def test_each_active_client_has_one_active_agreement(demo):
    for client in Client.objects.filter(status=Client.Status.ACTIVE):
        assert client.agreements.filter(status=Agreement.Status.ACTIVE).count() == 1, client


def test_draft_and_expired_agreements_do_not_count(demo):
    others = Agreement.objects.exclude(status=Agreement.Status.ACTIVE)

    assert set(others.values_list("status", flat=True)) == {
        Agreement.Status.DRAFT,
        Agreement.Status.EXPIRED,
    }
    assert Agreement.objects.aggregate(total=Sum("annual_value"))["total"] > ARR


def test_every_active_agreement_is_active_today(demo):
    today = timezone.localdate()

    active = Agreement.objects.filter(status=Agreement.Status.ACTIVE)
    assert set(active) == set(Agreement.objects.active_on(today))


def test_every_active_agreement_has_a_derived_requirement(demo):
    for agreement in Agreement.objects.filter(status=Agreement.Status.ACTIVE):
        assert agreement.requirements.filter(source=Requirement.Source.DERIVED).exists(), agreement


def test_clients_run_versions_a_couple_behind(demo):
    runs = {
        (t.skill.name, t.version.label)
        for client in Client.objects.all()
        for t in client.technologies.select_related("skill", "version")
        if t.version_id
    }

    assert {
        ("Windows Server", "2016"),
        ("Windows Server", "2019"),
        ("Exchange Server", "2016"),
        ("Windows", "10"),
        ("QuickBooks Desktop", "2022"),
        ("SonicWall SonicOS", "6.5"),
    } <= runs


def test_every_client_has_one_primary_contact(demo):
    for client in Client.objects.all():
        assert client.contacts.filter(is_primary=True).count() == 1, client


def test_most_technicians_hold_mcp_and_exactly_one_holds_no_baseline(demo):
    mcp = Certification.objects.get(is_baseline=True)
    without_baseline = Technician.objects.exclude(certifications__certification__is_baseline=True)

    assert Technician.objects.count() == 6
    assert mcp.holders.count() == 5
    assert list(without_baseline.values_list("name", flat=True)) == ["Kevin Brandt"]


def test_exactly_one_certification_expires_within_60_days(demo):
    today = timezone.localdate()
    expiring = TechnicianCertification.objects.filter(
        expires_on__gte=today, expires_on__lte=today + datetime.timedelta(days=60)
    )

    assert expiring.count() == 1
    assert not TechnicianCertification.objects.filter(expires_on__lt=today).exists()


def test_one_agreement_has_its_notice_date_within_90_days(demo):
    today = timezone.localdate()
    soon = [
        agreement
        for agreement in Agreement.objects.filter(status=Agreement.Status.ACTIVE)
        if agreement.notice_date
        and today <= agreement.notice_date <= today + datetime.timedelta(90)
    ]

    assert [agreement.client.name for agreement in soon] == ["Cedar Creek Veterinary Clinic"]


def test_competitors_offer_our_services_and_something_we_do_not(demo):
    offerings = CompetitorOffering.objects.all()

    assert Competitor.objects.count() == 2
    assert offerings.filter(service__isnull=False).exists()
    assert offerings.filter(service__isnull=True, name="VoIP phone systems").count() == 2
    assert not offerings.filter(price__isnull=True).exists()


def test_training_goals_form_a_plan(demo):
    goals = TrainingGoal.objects.all()

    assert (
        goals.filter(
            status__in=[TrainingGoal.Status.PLANNED, TrainingGoal.Status.IN_PROGRESS]
        ).count()
        >= 1
    )
    assert goals.filter(due_date__lt=timezone.localdate()).exists()


def test_coverage_shows_uncovered_thin_and_lapsing_agreements(demo):
    result = evaluate_coverage(day=timezone.localdate())
    status = {a.client_name: (a.status, a.risk_kind) for a in result.agreements}

    assert result.arr_total == ARR
    assert status["Harlow & Pierce LLP"] == ("uncovered", "")
    assert status["Brennan Precision Machining"] == ("uncovered", "")
    assert status["Kessler & Ng CPAs"] == ("at_risk", "thin")
    assert status["Northlight Architecture Studio"] == ("at_risk", "lapsing")
    assert result.arr_uncovered == Decimal("66600.00")
    assert result.arr_at_risk == Decimal("33600.00")
    assert result.counts["covered"] == 4


def test_the_team_works_in_two_time_zones_with_their_own_hours(demo):
    zones = dict(Technician.objects.values_list("name", "time_zone"))
    hours = {
        technician.name: pattern_text(working_periods(technician.working_hours.all()))
        for technician in Technician.objects.prefetch_related("working_hours")
    }

    assert set(zones.values()) == {settings.TIME_ZONE, "Europe/London"}
    assert zones["Samir Haddad"] == "Europe/London"
    assert hours == {
        "Helen Okafor": "Mon–Fri 08:00–18:00",
        "Tomás Reyes": "Mon–Fri 08:00–18:00",
        "Grace Lindqvist": "Mon–Fri 09:00–17:00",
        "Priya Natarajan": "Mon–Fri 09:00–17:00",
        "Samir Haddad": "Mon–Fri 09:00–17:00",
        "Kevin Brandt": "Mon–Fri 09:00–13:00",
    }
    assert Client.objects.get(name="Riverbend Community Food Bank").time_zone == "America/Chicago"


def test_one_after_hours_rota_in_weekly_turns(demo):
    rota = OnCallRota.objects.get()
    members = list(rota.members.values_list("technician__name", flat=True))
    today = timezone.localdate()

    assert (rota.name, rota.rotation_days, rota.time_zone) == ("After-hours", 7, settings.TIME_ZONE)
    assert members == ["Helen Okafor", "Samir Haddad"]
    assert pattern_text(rota_periods(rota.hours.all())) == (
        "Mon–Fri 00:00–09:00, Mon–Fri 17:00–24:00, Sat–Sun 00:00–24:00"
    )
    local_start = timezone.localtime(rota.starts_at)
    assert (local_start.weekday(), local_start.hour) == (0, 9) and local_start.date() < today
    cover = rota.overrides.get()
    assert cover.technician.name == "Samir Haddad" and cover.starts_at > timezone.now()


def test_time_off_over_the_holidays_and_a_training_course(demo):
    today = timezone.localdate()
    first, last = holidays_off(today)
    away = {(o.technician.name, o.first_day, o.last_day, o.kind) for o in TimeOff.objects.all()}

    assert {(name, kind) for name, *_, kind in away} == {
        ("Grace Lindqvist", "vacation"),
        ("Kevin Brandt", "vacation"),
        ("Tomás Reyes", "training"),
    }
    assert ("Grace Lindqvist", first, last, "vacation") in away
    assert ("Kevin Brandt", first, last, "vacation") in away
    assert all(today < first_day <= today + datetime.timedelta(45) for _, first_day, *_ in away)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2026, 12, 7), (datetime.date(2026, 12, 24), datetime.date(2027, 1, 1))),
        (datetime.date(2026, 11, 9), (datetime.date(2026, 12, 24), datetime.date(2027, 1, 1))),
        (datetime.date(2026, 11, 8), (datetime.date(2026, 11, 23), datetime.date(2026, 11, 29))),
        (datetime.date(2026, 12, 22), (datetime.date(2027, 1, 11), datetime.date(2027, 1, 17))),
        (datetime.date(2031, 7, 15), (datetime.date(2031, 8, 4), datetime.date(2031, 8, 10))),
    ],
)
def test_the_holidays_are_christmas_when_it_is_near_else_a_week_three_weeks_on(today, expected):
    assert holidays_off(today) == expected


MONDAY = datetime.date(2026, 12, 7)
SUMMER_MONDAY = datetime.date(2031, 7, 14)


def evaluate_seeded(day):
    with time_machine.travel(
        datetime.datetime.combine(day, datetime.time(14), tzinfo=datetime.UTC), tick=False
    ):
        seed_demo(today=day)
        return evaluate_coverage(day=day)


def night_gaps(result):
    """{client: requirements uncovered by a gap in the support hours}."""
    return {
        agreement.client_name: {
            r.label: r
            for r in agreement.requirements
            if r.status == "uncovered" and r.gap_cause in ("outside_hours", "on_call_unqualified")
        }
        for agreement in result.agreements
        if any(
            r.status == "uncovered" and r.gap_cause in ("outside_hours", "on_call_unqualified")
            for r in agreement.requirements
        )
    }


@pytest.mark.parametrize("day", [MONDAY, SUMMER_MONDAY])
def test_one_agreement_is_uncovered_at_night_nobody_on_the_rota_has_its_network(day):
    result = evaluate_seeded(day)

    gaps = night_gaps(result)
    assert list(gaps) == ["Brennan Precision Machining"]
    assert set(gaps["Brennan Precision Machining"]) == {"Cisco IOS 15 at level 3+", "Cisco CCNA"}
    cisco = gaps["Brennan Precision Machining"]["Cisco IOS 15 at level 3+"]
    # Tomás Reyes, 8 to 6 in New York, is the only one; the rota's members lack it.
    assert cisco.qualified_names == ("Tomás Reyes",)
    assert cisco.gap_cause == "on_call_unqualified"
    assert timezone.localtime(cisco.gap_starts_at) == timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(0))
    )
    assert timezone.localtime(cisco.gap_ends_at).time() == datetime.time(8)
    assert cisco.uncovered_hours == Decimal("118.0")
    assert cisco.reason == (
        "No one qualified for Cisco IOS 15 is at work or on call Monday 00:00–08:00 (client's "
        "time), which 24×7 support covers; 118 of the week's 168 hours are uncovered."
    )


@pytest.mark.parametrize(
    ("day", "first_day", "days"),
    [
        (MONDAY, datetime.date(2026, 12, 24), "24 Dec 2026 – 1 Jan 2027"),
        (SUMMER_MONDAY, datetime.date(2031, 8, 4), "4–10 Aug 2031"),
    ],
)
def test_one_agreement_lapses_over_the_holidays_two_people_away(day, first_day, days):
    result = evaluate_seeded(day)

    lapsing = [a for a in result.agreements if a.risk_kind == "lapsing"]
    assert [a.client_name for a in lapsing] == ["Northlight Architecture Studio"]
    (autocad,) = [r for r in lapsing[0].requirements if r.status != "covered"]
    assert (autocad.status, autocad.risk_kind, autocad.lapses_on) == (
        "at_risk",
        "lapsing",
        first_day,
    )
    assert autocad.gap_cause == "time_off"
    assert autocad.reason.startswith(
        f"No one qualified for AutoCAD 2023 is at work {day_text(first_day)} 09:00–17:00: "
        "Grace Lindqvist and Kevin Brandt are on time off "
    )
    assert days in autocad.reason


@pytest.mark.parametrize("day", [MONDAY, SUMMER_MONDAY])
def test_the_story_on_any_day_totals_165000(day):
    result = evaluate_seeded(day)
    status = {a.client_name: (a.status, a.risk_kind) for a in result.agreements}

    assert status == {
        "Bayview Family Dental": ("covered", ""),
        "Brennan Precision Machining": ("uncovered", ""),
        "Cedar Creek Veterinary Clinic": ("covered", ""),
        "Harlow & Pierce LLP": ("uncovered", ""),
        "Kessler & Ng CPAs": ("at_risk", "thin"),
        "Northlight Architecture Studio": ("at_risk", "lapsing"),
        "Riverbend Community Food Bank": ("covered", ""),
        "Summit Ridge Realty": ("covered", ""),
    }
    assert (result.arr_total, result.arr_uncovered, result.arr_at_risk) == (
        ARR,
        Decimal("66600.00"),
        Decimal("33600.00"),
    )
    (exchange,) = [
        r
        for a in result.agreements
        if a.client_name == "Harlow & Pierce LLP"
        for r in a.requirements
        if r.status != "covered"
    ]
    assert exchange.gap_cause == "nobody_qualified"


def test_dates_follow_the_day_of_the_seed():
    later = datetime.date(2031, 7, 15)

    with time_machine.travel(datetime.datetime(2031, 7, 15, 9, tzinfo=datetime.UTC), tick=False):
        seed_demo(today=later)

    active = Agreement.objects.filter(status=Agreement.Status.ACTIVE)
    assert set(active) == set(Agreement.objects.active_on(later))
    assert TechnicianCertification.objects.filter(
        expires_on__range=(later, later + datetime.timedelta(days=60))
    ).exists()
    assert set(TimeOff.objects.values_list("first_day", flat=True)) == {
        datetime.date(2031, 8, 4),  # the holidays: three weeks from that Monday
        datetime.date(2031, 7, 25),  # the course: ten days on
    }
    assert OnCallRota.objects.get().starts_at.date() == datetime.date(2031, 6, 16)


def test_second_run_changes_nothing(demo):
    before = row_counts()

    output = run_seed()

    assert row_counts() == before
    assert "nothing changed" in output
    assert active_total() == ARR


def test_reset_removes_demo_rows_and_seeds_the_same_figures(demo):
    before = row_counts()
    coverage_run_execute(run_date=timezone.localdate())  # flags on demo agreements
    other_client = ClientFactory(name="Walk-in Customer")
    user = get_user_model().objects.create_user("lena.frost", password="x-Long-enough-1")
    catalog = (Skill.objects.count(), SkillVersion.objects.count(), Certification.objects.count())

    output = run_seed("--reset")

    assert "Removed:" in output
    # The old flags went with their agreements; the seed's own check flags the new ones.
    newest = CoverageCheck.objects.order_by("-finished_at").first()
    assert set(CoverageFlag.objects.values_list("opened_by_check", flat=True)) == {newest.pk}
    assert Client.objects.filter(pk=other_client.pk).exists()
    assert get_user_model().objects.filter(pk=user.pk).exists()
    assert (
        Skill.objects.count(),
        SkillVersion.objects.count(),
        Certification.objects.count(),
    ) == catalog
    assert active_total() == ARR
    assert Client.objects.filter(status=Client.Status.ACTIVE).count() == 9
    after = row_counts()
    for model in (Agreement, Requirement, Technician, TechnicianCertification, TrainingGoal):
        assert after[model._meta.label] == before[model._meta.label], model


def test_missing_catalog_version_fails_with_a_clear_error():
    call_command("load_catalog", stdout=StringIO())
    exchange = Skill.objects.get(name="Exchange Server")
    exchange.versions.filter(label="2016").delete()
    SkillVersion.objects.create(skill=exchange, label="2016 CU23", rank=20)

    with pytest.raises(CommandError, match="no version “2016” of Exchange Server"):
        run_seed()

    assert not Client.objects.exists()


def test_the_demo_comes_with_a_first_coverage_check(demo):
    check = CoverageCheck.objects.get()

    assert (check.uncovered_count, check.at_risk_count, check.arr_total) == (2, 2, ARR)
    assert "Coverage checked: 2 uncovered, 2 at risk, 4 covered" in demo
    brennan = check.requirement_results.filter(
        agreement__client__name="Brennan Precision Machining"
    )
    assert set(brennan.values_list("gap_cause", flat=True)) == {"on_call_unqualified"}
    assert all(row.gap_starts_at and row.uncovered_hours > 0 for row in brennan)


def test_seeding_again_records_no_second_check(demo):
    run_seed()

    assert CoverageCheck.objects.count() == 1


def test_one_partner_programme_is_at_risk_and_the_others_met(demo):
    results = CoverageCheck.objects.get().programme_results.order_by("label")
    tomas_ccna = TechnicianCertification.objects.get(
        technician__name="Tomás Reyes", certification__name="Cisco CCNA"
    )

    assert [(row.label, row.status) for row in results] == [
        ("Cisco Select Integrator", "at_risk"),
        ("Fortinet Engage Advocate Partner", "met"),
        ("Microsoft Solutions Partner — Modern Work", "met"),
    ]
    at_risk = results[0]
    assert at_risk.lapses_on == tomas_ccna.expires_on + datetime.timedelta(days=1)
    assert at_risk.reason == (
        "Cisco Select Integrator: needs 1 technician certified Cisco CCNA; has 1, Tomás Reyes's "
        f"lapses {day_text(at_risk.lapses_on)}"
    )
    assert CoverageCheck.objects.get().programme_benefit_at_stake == Decimal("6500.00")
    assert "3 partner programmes added" in demo
    assert active_total() == ARR
