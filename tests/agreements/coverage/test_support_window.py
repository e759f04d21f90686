"""Coverage through the support window (DESIGN): hand-worked cases, the week grid and the cost
of both. The firm's zone is America/New_York (settings.TIME_ZONE); every technician works the
default Monday–Friday 09:00–17:00 unless a case says otherwise."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.coverage.checks import coverage_check_run
from agreements.coverage.engine import evaluate_coverage, evaluate_coverage_without
from agreements.coverage.models import (
    CheckedRequirement,
    CoverageCheck,
    CoverageStatus,
    GapCause,
    RiskKind,
)
from agreements.coverage.support_window import week_grid
from core.time_zones import validate_time_zone
from skills.models import (
    OnCallMember,
    OnCallOverride,
    OnCallRota,
    OnCallRotaHours,
    TimeOff,
    WorkingHours,
)
from tests.agreements.factories import AgreementFactory, RequirementFactory
from tests.clients.factories import ClientFactory
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    SkillVersionFactory,
    TechnicianCertificationFactory,
    TechnicianFactory,
    TechnicianSkillFactory,
)

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
DAY = datetime.date(2026, 12, 7)  # a Monday
WINDOW = 60
COVERED = CoverageStatus.COVERED
AT_RISK = CoverageStatus.AT_RISK
UNCOVERED = CoverageStatus.UNCOVERED


def at(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def new_york(*args):
    """A New York wall time as an aware moment."""
    return datetime.datetime(*args, tzinfo=zoneinfo.ZoneInfo("America/New_York"))


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(at(2026, 12, 7, 12, 0), tick=False):
        yield


@pytest.fixture
def exchange_2016():
    skill = SkillFactory(name="Exchange Server")
    return skill, SkillVersionFactory(skill=skill, label="2016", rank=1)


def qualified(exchange_2016, name, **fields):
    skill, _ = exchange_2016
    technician = TechnicianFactory(name=name, **fields)
    TechnicianSkillFactory(technician=technician, skill=skill, level=3)
    return technician


def requirement_of(exchange_2016, *, support_hours="8x5", client=None, min_technicians=2):
    skill, version = exchange_2016
    agreement = AgreementFactory(
        support_hours=support_hours, **({"client": client} if client else {})
    )
    return RequirementFactory(
        agreement=agreement,
        skill=skill,
        version=version,
        min_level=3,
        min_technicians=min_technicians,
    )


def coverage_of(requirement, *, day=DAY, warning_days=WINDOW):
    result = evaluate_coverage(day=day, warning_days=warning_days)
    return next(r for r in result.requirements if r.requirement_id == requirement.pk)


def rota_of(*members, starts_at=None, name="Nights and weekends"):
    """A weekly rota in New York, on call outside 09:00–17:00 on weekdays (the default), whose
    first turn began Monday 30 Nov 2026 09:00."""
    rota = OnCallRota.objects.create(
        name=name,
        time_zone="America/New_York",
        starts_at=starts_at or new_york(2026, 11, 30, 9, 0),
        rotation_days=7,
    )
    for position, technician in enumerate(members):
        OnCallMember.objects.create(rota=rota, technician=technician, position=position)
    return rota


# ------------------------------------------------------------------------- hand-worked cases


def test_round_the_clock_agreement_without_a_rota_is_uncovered_from_midnight(exchange_2016):
    qualified(exchange_2016, "Dana Ortiz")
    qualified(exchange_2016, "Sam Lee")
    requirement = requirement_of(exchange_2016, support_hours="24x7")

    coverage = coverage_of(requirement)

    assert (coverage.status, coverage.reason) == (
        UNCOVERED,
        "No one qualified for Exchange Server 2016 is at work or on call Monday 00:00–09:00 "
        "(client's time), which 24×7 support covers; 128 of the week's 168 hours are uncovered.",
    )
    assert (
        coverage.gap_starts_at,
        coverage.gap_ends_at,
        coverage.gap_cause,
        coverage.uncovered_hours,
    ) == (at(2026, 12, 7, 5, 0), at(2026, 12, 7, 14, 0), GapCause.OUTSIDE_HOURS, Decimal("128"))


def test_round_the_clock_agreement_is_covered_by_a_rota_of_qualified_members(exchange_2016):
    dana = qualified(exchange_2016, "Dana Ortiz")
    sam = qualified(exchange_2016, "Sam Lee")
    rota_of(dana, sam)
    requirement = requirement_of(exchange_2016, support_hours="24x7")

    coverage = coverage_of(requirement)

    assert (coverage.status, coverage.reason, coverage.gap_starts_at) == (COVERED, "", None)


def test_rota_member_who_does_not_qualify_makes_it_lapse_on_their_first_turn(exchange_2016):
    dana = qualified(exchange_2016, "Dana Ortiz")
    sam = qualified(exchange_2016, "Sam Lee")
    ravi = TechnicianFactory(name="Ravi Shah")
    rota_of(dana, sam, ravi)  # Ravi's first turn: Monday 14 Dec 09:00 to Monday 21 Dec 09:00
    requirement = requirement_of(exchange_2016, support_hours="24x7")

    coverage = coverage_of(requirement)

    assert (coverage.status, coverage.risk_kind, coverage.lapses_on) == (
        AT_RISK,
        RiskKind.LAPSING,
        datetime.date(2026, 12, 14),
    )
    assert (coverage.gap_starts_at, coverage.gap_ends_at, coverage.gap_cause) == (
        new_york(2026, 12, 14, 17, 0),
        new_york(2026, 12, 15, 0, 0),
        GapCause.ON_CALL_UNQUALIFIED,
    )
    assert coverage.reason == (
        "No one qualified for Exchange Server 2016 is on call 14 Dec 2026 17:00–24:00: Ravi "
        "Shah, on call then, does not have Exchange Server 2016 at level 3."
    )


def test_two_qualified_people_on_time_off_make_business_hours_lapse(exchange_2016):
    dana = qualified(exchange_2016, "Dana Ortiz")
    sam = qualified(exchange_2016, "Sam Lee")
    for technician in (dana, sam):
        TimeOff.objects.create(
            technician=technician,
            first_day=datetime.date(2026, 12, 24),
            last_day=datetime.date(2026, 12, 26),
        )
    requirement = requirement_of(exchange_2016)

    coverage = coverage_of(requirement)

    assert (coverage.status, coverage.risk_kind, coverage.lapses_on) == (
        AT_RISK,
        RiskKind.LAPSING,
        datetime.date(2026, 12, 24),
    )
    assert coverage.reason == (
        "No one qualified for Exchange Server 2016 is at work 24 Dec 2026 09:00–17:00: Dana "
        "Ortiz and Sam Lee are on time off 24–26 Dec 2026."
    )
    # Thursday and Friday of the week from 24 Dec.
    assert (coverage.gap_cause, coverage.uncovered_hours) == (GapCause.TIME_OFF, Decimal("16"))


def test_london_hours_leave_a_chicago_afternoon_uncovered_in_june(exchange_2016):
    qualified(exchange_2016, "Dana Ortiz", time_zone="Europe/London")
    chicago = ClientFactory(time_zone="America/Chicago")
    requirement = requirement_of(exchange_2016, client=chicago, min_technicians=1)
    june = datetime.date(2027, 6, 7)  # a Monday

    coverage = coverage_of(requirement, day=june)

    # London 09:00–17:00 (BST) is 03:00–11:00 in Chicago (CDT).
    assert (coverage.status, coverage.gap_starts_at, coverage.gap_ends_at) == (
        UNCOVERED,
        at(2027, 6, 7, 16, 0),
        at(2027, 6, 7, 22, 0),
    )
    assert coverage.reason == (
        "No one qualified for Exchange Server 2016 is at work or on call Monday 11:00–17:00 "
        "(client's time), which 8×5 support covers; 30 of the week's 40 hours are uncovered."
    )


def test_a_daylight_saving_change_moves_the_gap_by_an_hour(exchange_2016):
    qualified(exchange_2016, "Dana Ortiz", time_zone="Europe/London")
    requirement = requirement_of(exchange_2016, min_technicians=1)
    thursday = datetime.date(2027, 3, 11)  # New York moves to summer time on Sunday 14 March

    before = coverage_of(requirement, day=thursday)
    after = coverage_of(requirement, day=datetime.date(2027, 3, 15))

    # London 09:00–17:00 (GMT) ends at 12:00 New York time in winter, 13:00 in summer.
    assert (before.gap_starts_at, after.gap_starts_at) == (
        new_york(2027, 3, 11, 12, 0),
        new_york(2027, 3, 15, 13, 0),
    )
    # Thursday and Friday 5 hours each, then Monday to Wednesday 4 each.
    assert before.uncovered_hours == Decimal("22")


def test_an_override_covers_a_gap(exchange_2016):
    dana = qualified(exchange_2016, "Dana Ortiz")
    sam = qualified(exchange_2016, "Sam Lee")
    ravi = TechnicianFactory(name="Ravi Shah")
    rota = rota_of(dana, sam, ravi)
    requirement = requirement_of(exchange_2016, support_hours="24x7")
    OnCallOverride.objects.create(
        rota=rota,
        technician=sam,
        starts_at=new_york(2026, 12, 14, 9, 0),
        ends_at=new_york(2026, 12, 21, 9, 0),
    )

    coverage = coverage_of(requirement, warning_days=14)

    assert (coverage.status, coverage.lapses_on) == (COVERED, None)


def test_the_newest_overlapping_override_wins(exchange_2016):
    dana = qualified(exchange_2016, "Dana Ortiz")
    sam = qualified(exchange_2016, "Sam Lee")
    ravi = TechnicianFactory(name="Ravi Shah")
    rota = rota_of(dana, sam, ravi)
    requirement = requirement_of(exchange_2016, support_hours="24x7")
    OnCallOverride.objects.create(
        rota=rota,
        technician=sam,
        starts_at=new_york(2026, 12, 14, 9, 0),
        ends_at=new_york(2026, 12, 21, 9, 0),
    )
    OnCallOverride.objects.create(
        rota=rota,
        technician=ravi,
        starts_at=new_york(2026, 12, 16, 17, 0),
        ends_at=new_york(2026, 12, 17, 9, 0),
    )

    coverage = coverage_of(requirement, warning_days=14)

    assert (coverage.lapses_on, coverage.gap_starts_at) == (
        datetime.date(2026, 12, 16),
        new_york(2026, 12, 16, 17, 0),
    )


def test_a_rota_without_members_covers_nothing(exchange_2016):
    dana = qualified(exchange_2016, "Dana Ortiz")
    rota = rota_of()
    OnCallOverride.objects.create(
        rota=rota,
        technician=dana,
        starts_at=new_york(2026, 12, 7, 0, 0),
        ends_at=new_york(2026, 12, 7, 9, 0),
    )
    requirement = requirement_of(exchange_2016, support_hours="24x7", min_technicians=1)

    coverage = coverage_of(requirement)

    assert (coverage.status, coverage.gap_starts_at) == (UNCOVERED, new_york(2026, 12, 7, 0, 0))


def test_rota_hours_of_its_own_decide_when_a_turn_is_on_call(exchange_2016):
    dana = qualified(exchange_2016, "Dana Ortiz")
    rota = rota_of(dana)
    OnCallRotaHours.objects.create(
        rota=rota, weekday=0, start=datetime.time(0, 0), end=datetime.time(9, 0)
    )
    requirement = requirement_of(exchange_2016, support_hours="12x5", min_technicians=1)

    coverage = coverage_of(requirement)

    # Monday 07:00–09:00 is on call; 17:00–19:00 is nobody's.
    assert (coverage.status, coverage.gap_starts_at, coverage.gap_ends_at) == (
        UNCOVERED,
        new_york(2026, 12, 7, 17, 0),
        new_york(2026, 12, 7, 19, 0),
    )
    assert coverage.uncovered_hours == Decimal("18")  # Mon 2, Tue–Fri 4 each


def test_working_hours_of_their_own_replace_the_default(exchange_2016):
    dana = qualified(exchange_2016, "Dana Ortiz")
    for weekday in range(5):
        WorkingHours.objects.create(
            technician=dana, weekday=weekday, start=datetime.time(7, 0), end=datetime.time(19, 0)
        )
    requirement = requirement_of(exchange_2016, support_hours="12x5", min_technicians=1)

    assert coverage_of(requirement).status == COVERED


def test_last_working_day_of_the_only_qualified_gives_a_lapse_date_when_thin(exchange_2016):
    qualified(exchange_2016, "Dana Ortiz", available_until=datetime.date(2026, 12, 18))
    requirement = requirement_of(exchange_2016)  # 2 needed, 1 qualifies

    coverage = coverage_of(requirement)

    assert (coverage.status, coverage.risk_kind, coverage.lapses_on, coverage.gap_cause) == (
        AT_RISK,
        RiskKind.THIN,
        datetime.date(2026, 12, 21),  # the Monday after her last day, a Friday
        GapCause.LAST_DAY,
    )
    assert coverage.reason == (
        "Only Dana Ortiz qualifies (2 needed). No one qualified for Exchange Server 2016 is at "
        "work 21 Dec 2026 09:00–17:00: Dana Ortiz's last day is 18 Dec 2026."
    )


def test_certification_expiry_gives_a_dated_gap():
    ccna = CertificationFactory(name="CCNA")
    dana = TechnicianFactory(name="Dana Ortiz")
    TechnicianCertificationFactory(
        technician=dana, certification=ccna, expires_on=datetime.date(2026, 12, 9)
    )
    requirement = RequirementFactory(skill=None, certification=ccna, min_technicians=1)

    coverage = coverage_of(requirement)

    assert (coverage.status, coverage.lapses_on, coverage.gap_cause, coverage.reason) == (
        AT_RISK,
        datetime.date(2026, 12, 10),
        GapCause.CERTIFICATION_EXPIRY,
        "Coverage lapses on 10 Dec 2026: Dana Ortiz's CCNA expires on 9 Dec 2026",
    )


def test_nobody_qualified_names_the_first_slot_of_the_window(exchange_2016):
    requirement = requirement_of(exchange_2016)

    coverage = coverage_of(requirement)

    assert (
        coverage.status,
        coverage.gap_starts_at,
        coverage.gap_ends_at,
        coverage.gap_cause,
        coverage.uncovered_hours,
    ) == (
        UNCOVERED,
        new_york(2026, 12, 7, 9, 0),
        new_york(2026, 12, 7, 17, 0),
        GapCause.NOBODY_QUALIFIED,
        Decimal("40"),
    )


def test_business_hours_in_the_firms_zone_keep_the_head_count_verdict(exchange_2016):
    qualified(exchange_2016, "Dana Ortiz")
    qualified(exchange_2016, "Sam Lee", available_until=datetime.date(2027, 1, 15))
    requirement = requirement_of(exchange_2016)

    coverage = coverage_of(requirement)

    assert (coverage.status, coverage.lapses_on, coverage.gap_starts_at) == (
        AT_RISK,
        datetime.date(2027, 1, 16),
        None,
    )


def test_a_quarter_hour_zone_is_refused():
    with pytest.raises(ValidationError):
        validate_time_zone("Asia/Kathmandu")
    client = ClientFactory()
    client.time_zone = "Asia/Kathmandu"
    with pytest.raises(ValidationError):
        client.full_clean()


def test_what_if_and_pre_sale_use_the_same_rules(exchange_2016):
    dana = qualified(exchange_2016, "Dana Ortiz")
    qualified(exchange_2016, "Sam Lee")
    requirement = requirement_of(exchange_2016, support_hours="24x7", min_technicians=1)
    draft = AgreementFactory(support_hours="24x7", status="draft")
    skill, version = exchange_2016
    RequirementFactory(agreement=draft, skill=skill, version=version, min_technicians=1)

    as_is, without = evaluate_coverage_without(
        day=DAY, technician_ids=[dana.pk], warning_days=WINDOW
    )
    pre_sale = evaluate_coverage(
        day=DAY, agreement_ids=[draft.pk], as_if_active=True, warning_days=WINDOW
    )

    statuses = [
        next(r for r in result.requirements if r.agreement_id == requirement.agreement_id).status
        for result in (as_is, without)
    ]
    assert (statuses, pre_sale.requirements[0].status) == ([UNCOVERED, UNCOVERED], UNCOVERED)


def test_a_check_records_the_first_gap(exchange_2016):
    qualified(exchange_2016, "Dana Ortiz")
    requirement = requirement_of(exchange_2016, support_hours="24x7", min_technicians=1)

    check = coverage_check_run(day=DAY, trigger=CoverageCheck.Trigger.MANUAL)

    row = CheckedRequirement.objects.get(coverage_check=check, requirement_id=requirement.pk)
    assert (row.gap_starts_at, row.gap_ends_at, row.gap_cause, row.uncovered_hours) == (
        at(2026, 12, 7, 5, 0),
        at(2026, 12, 7, 14, 0),
        GapCause.OUTSIDE_HOURS,
        Decimal("128.0"),
    )
    assert row.gap_text == "Mon 7 Dec 2026 00:00–09:00 (client's time)"


# --------------------------------------------------------------------------------- week grid


def test_week_grid_counts_the_qualified_present_and_names_the_gaps(exchange_2016):
    dana = qualified(exchange_2016, "Dana Ortiz")
    qualified(exchange_2016, "Sam Lee")
    TimeOff.objects.create(
        technician=dana, first_day=datetime.date(2026, 12, 8), last_day=datetime.date(2026, 12, 8)
    )
    requirement = requirement_of(exchange_2016, support_hours="12x5")

    grid = week_grid(agreement_id=requirement.agreement_id, day=DAY)

    monday, tuesday = grid.rows[0], grid.rows[1]
    assert (grid.zone, grid.days[0], grid.days[-1]) == (
        "America/New_York",
        DAY,
        datetime.date(2026, 12, 13),
    )
    assert [cell.count for cell in monday[14:20]] == [0, 0, 0, 0, 2, 2]  # 07:00 … 09:30
    assert (tuesday[18].count, tuesday[18].label, tuesday[18].in_window) == (1, "Tue 09:00", True)
    assert (monday[14].gap, monday[13].gap, monday[13].in_window) == (True, False, False)
    assert [(gap.day, gap.hours, gap.cause) for gap in grid.gaps[:2]] == [
        (DAY, "07:00–09:00", GapCause.OUTSIDE_HOURS),
        (DAY, "17:00–19:00", GapCause.OUTSIDE_HOURS),
    ]
    assert grid.uncovered_hours == Decimal("20")  # 4 hours a weekday


def test_week_grid_of_one_requirement(exchange_2016):
    qualified(exchange_2016, "Dana Ortiz")
    requirement = requirement_of(exchange_2016)
    nobody = RequirementFactory(
        agreement=requirement.agreement, skill=SkillFactory(name="Nobody knows this")
    )

    one = week_grid(agreement_id=requirement.agreement_id, day=DAY, requirement_id=requirement.pk)
    both = week_grid(agreement_id=requirement.agreement_id, day=DAY)

    assert (one.rows[0][18].count, both.rows[0][18].count) == (1, 0)
    assert (one.gaps, both.gaps[0].cause) == ([], GapCause.NOBODY_QUALIFIED)
    assert nobody.pk


def test_week_grid_of_a_spring_forward_day_has_46_half_hours(exchange_2016):
    qualified(exchange_2016, "Dana Ortiz")
    requirement = requirement_of(exchange_2016, support_hours="24x7")

    grid = week_grid(agreement_id=requirement.agreement_id, day=datetime.date(2027, 3, 8))

    sunday = grid.rows[6]  # 14 March 2027: 02:00–03:00 does not exist in New York
    assert [cell.count for cell in sunday[4:6]] == [None, None]
    assert sum(cell.count is not None for cell in sunday) == 46
    assert (sunday[4].gap, sunday[3].gap, sunday[6].gap) == (False, True, True)


def test_week_grid_of_a_fall_back_day_takes_the_smaller_count_of_the_doubled_hour(
    exchange_2016,
):
    dana = qualified(exchange_2016, "Dana Ortiz")
    ravi = TechnicianFactory(name="Ravi Shah")
    rota = rota_of(ravi, starts_at=new_york(2026, 10, 1, 9, 0))
    # Dana covers the first 01:00–02:00 of 1 November (summer time), not the second.
    OnCallOverride.objects.create(
        rota=rota, technician=dana, starts_at=at(2026, 11, 1, 5, 0), ends_at=at(2026, 11, 1, 6, 0)
    )
    requirement = requirement_of(exchange_2016, support_hours="24x7")

    grid = week_grid(agreement_id=requirement.agreement_id, day=datetime.date(2026, 10, 26))

    sunday = grid.rows[6]
    assert all(cell.count is not None for cell in sunday)
    assert [cell.count for cell in sunday[2:4]] == [0, 0]
    # 169 hours that week (Sunday has 25), 40 of them Dana's working hours, 1 her override.
    assert grid.uncovered_hours == Decimal("128")


def test_week_grid_of_a_draft(exchange_2016):
    qualified(exchange_2016, "Dana Ortiz")
    requirement = requirement_of(exchange_2016)
    requirement.agreement.status = "draft"
    requirement.agreement.save()

    grid = week_grid(agreement_id=requirement.agreement_id, day=DAY)

    assert grid.rows[0][18].count == 1


# ----------------------------------------------------------------------------------- its cost


def team_with_time(exchange_2016, count):
    """`count` qualified technicians with hours, time off and a rota turn each."""
    technicians = [qualified(exchange_2016, f"Tech {index:03d}") for index in range(count)]
    rota = rota_of(*technicians, name=f"Rota of {count}")
    for technician in technicians:
        WorkingHours.objects.create(
            technician=technician, weekday=0, start=datetime.time(8), end=datetime.time(18)
        )
        TimeOff.objects.create(
            technician=technician,
            first_day=datetime.date(2026, 12, 10),
            last_day=datetime.date(2026, 12, 11),
        )
        OnCallOverride.objects.create(
            rota=rota,
            technician=technician,
            starts_at=new_york(2026, 12, 8, 17),
            ends_at=new_york(2026, 12, 8, 20),
        )
    return technicians


def queries_of(function):
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_evaluation_queries_do_not_grow_with_the_team_time(exchange_2016):
    requirement = requirement_of(exchange_2016, support_hours="24x7")
    team_with_time(exchange_2016, 1)
    small = queries_of(lambda: evaluate_coverage(day=DAY, warning_days=WINDOW))

    team_with_time(exchange_2016, 6)
    requirement_of(exchange_2016, client=ClientFactory(time_zone="Europe/London"))

    assert queries_of(lambda: evaluate_coverage(day=DAY, warning_days=WINDOW)) == small
    assert requirement.pk


def test_week_grid_queries_do_not_grow_with_data(exchange_2016):
    requirement = requirement_of(exchange_2016, support_hours="24x7")
    team_with_time(exchange_2016, 1)

    def grid():
        week_grid(agreement_id=requirement.agreement_id, day=DAY)

    small = queries_of(grid)
    team_with_time(exchange_2016, 6)
    RequirementFactory(agreement=requirement.agreement, certification=CertificationFactory())

    # the agreement's zone and hours; agreements, requirements, technicians, technician
    # skills, technician certifications, skills, versions, certifications; working hours, time
    # off, rotas, members, rota hours, overrides
    assert (small, queries_of(grid)) == (15, 15)


# ------------------------------------------------------------------------------ the fast path


def outcomes(result):
    return sorted(
        (
            r.requirement_id,
            r.status,
            r.risk_kind,
            r.lapses_on,
            r.reason,
            r.gap_starts_at,
            r.gap_ends_at,
            r.gap_cause,
            r.uncovered_hours,
        )
        for r in result.requirements
    )


def test_a_team_without_hours_time_off_or_rotas_gets_the_general_paths_results(
    exchange_2016, monkeypatch
):
    ccna = CertificationFactory(name="CCNA")
    for index, last_day in enumerate(
        [None, None, datetime.date(2026, 12, 18), datetime.date(2027, 1, 20)]
    ):
        technician = qualified(exchange_2016, f"Tech {index}", available_until=last_day)
        TechnicianCertificationFactory(
            technician=technician,
            certification=ccna,
            expires_on=datetime.date(2026, 12, 9) if index < 2 else None,
        )
    lone = qualified(exchange_2016, "Lone Leaver", available_until=datetime.date(2026, 12, 30))
    skill, version = exchange_2016
    for support_hours in ("8x5", "12x5", "24x7"):
        for min_technicians in (1, 2, 4):
            requirement_of(
                exchange_2016, support_hours=support_hours, min_technicians=min_technicians
            )
            RequirementFactory(
                agreement=AgreementFactory(support_hours=support_hours),
                skill=skill,
                certification=ccna,
                min_level=3,
                min_technicians=min_technicians,
            )
            RequirementFactory(
                agreement=AgreementFactory(support_hours=support_hours),
                skill=None,
                certification=ccna,
                min_technicians=min_technicians,
            )
    lone_skill = SkillFactory(name="Only one knows")
    TechnicianSkillFactory(technician=lone, skill=lone_skill, level=3)
    RequirementFactory(skill=lone_skill, min_technicians=1)

    fast = evaluate_coverage(day=DAY, warning_days=WINDOW)
    assert fast.matcher.team_time.uniform is not None
    monkeypatch.setattr("agreements.coverage.team_time.TeamTime._uniform", lambda team_time: None)
    general = evaluate_coverage(day=DAY, warning_days=WINDOW)

    assert general.matcher.team_time.uniform is None
    assert outcomes(fast) == outcomes(general)
    assert {row[1] for row in outcomes(fast)} == {COVERED, AT_RISK, UNCOVERED}
