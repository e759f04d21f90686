"""The engine against the slot-by-slot reference (reference_hours) on small random teams with
time: zones on both sides (with and without daylight-saving changes inside the window), working
hours, time off, rotas with overlapping overrides, certification expiries and last working days.
"""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.coverage.engine import evaluate_coverage
from agreements.coverage.support_window import week_grid
from agreements.models import Agreement, Requirement
from skills.models import (
    OnCallMember,
    OnCallOverride,
    OnCallRota,
    OnCallRotaHours,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
    TimeOff,
    WorkingHours,
)
from tests.agreements.coverage import test_engine_property as head_count
from tests.agreements.coverage.reference_hours import reference_outcomes, reference_week_grid
from tests.agreements.factories import AgreementFactory
from tests.clients.factories import ClientFactory
from tests.skills.factories import (
    CertificationFactory,
    SkillFactory,
    SkillVersionFactory,
    TechnicianFactory,
)

UTC = datetime.UTC
MAX_WINDOW = 20
DAYLIGHT_ZONES = ["America/Chicago", "Europe/London", "Australia/Sydney", "America/New_York"]
STEADY_ZONES = ["Asia/Kolkata", "UTC", "Asia/Tokyo"]
ZONES = st.sampled_from(DAYLIGHT_ZONES + STEADY_ZONES)
# Daylight-saving changes of 2026: United States, Europe, Australia (ends, starts).
CHANGES = [
    datetime.date(2026, 3, 8),
    datetime.date(2026, 3, 29),
    datetime.date(2026, 10, 25),
    datetime.date(2026, 11, 1),
    datetime.date(2026, 4, 5),
    datetime.date(2026, 10, 4),
]
EARNED_ON = datetime.date(2020, 1, 1)
TECHNICIAN_STATUSES = st.sampled_from([Technician.Status.ACTIVE] * 6 + Technician.Status.values)
LEVELS = st.sampled_from([1, 2, 3, 3, 4, 4, 5, 5, 5])
SUPPORT_HOURS = st.sampled_from(["8x5", "8x5", "12x5", "24x7"])


def days(n):
    return datetime.timedelta(days=n)


def half_hours(n):
    return datetime.timedelta(minutes=30 * n)


def midnight_utc(day):
    return datetime.datetime.combine(day, datetime.time(), tzinfo=UTC)


EVERY_DAY = [(weekday, 0, 1440) for weekday in range(7)]


@st.composite
def weekly_patterns(draw):
    """None (the default), every hour of the week, or periods on the half hour, no two of a
    weekday overlapping; an end of 1440 minutes is midnight (00:00)."""
    kind = draw(st.sampled_from(["default", "default", "always", "periods"]))
    if kind == "default":
        return None
    if kind == "always":
        return EVERY_DAY
    periods = []
    for _ in range(draw(st.integers(1, 6))):
        weekday = draw(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4]))
        start = draw(st.integers(0, 47))
        end = draw(st.sampled_from([48, min(start + draw(st.integers(1, 20)), 48)]))
        if all(w != weekday or end <= s or e <= start for w, s, e in periods):
            periods.append((weekday, start, end))
    return [(weekday, start * 30, end * 30) for weekday, start, end in periods]


@st.composite
def first_handoffs(draw, day, zone):
    """A rota's first hand-off: a UTC half hour near D, long before it (many turns, across
    daylight-saving changes), or a local time of the small hours, which a change can skip or
    repeat (either reading of a repeated one)."""
    offset = draw(st.integers(-10, 4) | st.integers(-400, -11))
    if draw(st.booleans()):
        return midnight_utc(day + days(offset)) + half_hours(draw(st.integers(0, 47)))
    wall = datetime.datetime.combine(
        day + days(offset),
        datetime.time(draw(st.integers(0, 3)), draw(st.sampled_from([0, 30]))),
        tzinfo=zoneinfo.ZoneInfo(zone),
    ).replace(fold=draw(st.integers(0, 1)))
    return wall.astimezone(UTC)


@st.composite
def portfolios(draw):
    if draw(st.integers(0, 4)):
        day = draw(st.sampled_from(CHANGES)) - days(draw(st.integers(0, 10)))
    else:
        day = datetime.date(2026, 1, 1) + days(draw(st.integers(0, 364)))
    window = draw(st.integers(0, MAX_WINDOW))
    # Most zones are the firm's own, so that coverage is often there and can break.
    home = draw(ZONES)
    zones = st.sampled_from([home, home]) | ZONES
    version_count = draw(st.integers(1, 2))

    def near_day(before, after):
        return st.integers(-before, window + after).map(lambda offset: day + days(offset))

    def version_bound():
        return st.none() | st.integers(0, version_count - 1)

    technicians = []
    for _ in range(draw(st.integers(1, 4))):
        skills = {}
        if draw(st.integers(0, 5)):
            oldest, newest = draw(version_bound()), draw(version_bound())
            if oldest is not None and newest is not None and newest < oldest:
                oldest, newest = newest, oldest
            skills[0] = {"level": draw(LEVELS), "oldest": oldest, "newest": newest}
        certifications = {}
        if draw(st.integers(0, 2)):
            certifications[0] = draw(st.none() | near_day(1, 2))
        time_off = []
        for _ in range(draw(st.integers(0, 2))):
            first = draw(near_day(3, 1))
            time_off.append((first, first + days(draw(st.integers(0, 4)))))
        technicians.append(
            {
                "status": draw(TECHNICIAN_STATUSES),
                "available_until": draw(st.none() | st.none() | near_day(1, 2)),
                "skills": skills,
                "certifications": certifications,
                "time_zone": draw(zones),
                "hours": draw(weekly_patterns()),
                "time_off": time_off,
            }
        )

    count = len(technicians)
    rotas = []
    for _ in range(draw(st.integers(0, 2))):
        rota_zone = draw(zones)
        overrides = []
        for _ in range(draw(st.integers(0, 3))):
            starts_at = midnight_utc(day) + half_hours(draw(st.integers(-48, 48 * (window + 7))))
            ends_at = starts_at + half_hours(draw(st.integers(1, 120)))
            overrides.append((draw(st.integers(0, count - 1)), starts_at, ends_at))
        rotas.append(
            {
                "time_zone": rota_zone,
                "starts_at": draw(first_handoffs(day, rota_zone)),
                "rotation_days": draw(st.integers(1, 7)),
                "hours": draw(weekly_patterns()),
                "members": draw(
                    st.lists(
                        st.integers(0, count - 1),
                        unique=True,
                        min_size=draw(st.sampled_from([0, 1, 1])),
                        max_size=min(count, 3),
                    )
                ),
                "overrides": overrides,
            }
        )

    agreements = [
        {
            "status": Agreement.Status.ACTIVE,
            "start_date": day - days(30),
            "end_date": None,
            "annual_value": Decimal("12000"),
            "auto_renew": False,
            "support_hours": draw(SUPPORT_HOURS),
            "time_zone": draw(zones),
        }
        for _ in range(draw(st.integers(1, 2)))
    ]
    requirements = []
    for _ in range(draw(st.integers(1, 3))):
        skill = draw(st.sampled_from([0, 0, 0, None]))
        requirements.append(
            {
                "agreement": draw(st.integers(0, len(agreements) - 1)),
                "skill": skill,
                "version": None if skill is None else draw(version_bound()),
                "certification": 0 if skill is None else draw(st.none() | st.just(0)),
                "min_level": draw(st.integers(1, 3)),
                "min_technicians": draw(st.sampled_from([1, 1, 2, 3])),
            }
        )
    return {
        "day": day,
        "window": window,
        "version_count": version_count,
        "technicians": technicians,
        "rotas": rotas,
        "agreements": agreements,
        "requirements": requirements,
        "excluded": set(),
    }


# ------------------------------------------------------------------------------ building rows


def clock(minutes):
    """A model time of a pattern's minute: 1440 is 00:00, midnight at the end of the day."""
    return datetime.time((minutes // 60) % 24, minutes % 60)


def period_rows(model, owner, periods):
    return [
        model(**owner, weekday=weekday, start=clock(start), end=clock(end))
        for weekday, start, end in periods or ()
    ]


def build(portfolio):
    """Write the drawn portfolio; returns the primary keys of the requirements and agreements in
    drawn order."""
    skill = SkillFactory()
    versions = [
        SkillVersionFactory(skill=skill, rank=r + 1) for r in range(portfolio["version_count"])
    ]
    certification = CertificationFactory()

    technicians = []
    for drawn in portfolio["technicians"]:
        technician = TechnicianFactory(
            status=drawn["status"],
            available_until=drawn["available_until"],
            time_zone=drawn["time_zone"],
        )
        technicians.append(technician)
        for known in drawn["skills"].values():
            TechnicianSkill.objects.create(
                technician=technician,
                skill=skill,
                level=known["level"],
                oldest_version=head_count.pick(versions, known["oldest"]),
                newest_version=head_count.pick(versions, known["newest"]),
            )
        for expires_on in drawn["certifications"].values():
            TechnicianCertification.objects.create(
                technician=technician,
                certification=certification,
                earned_on=EARNED_ON,
                expires_on=expires_on,
            )
        WorkingHours.objects.bulk_create(
            period_rows(WorkingHours, {"technician": technician}, drawn["hours"])
        )
        for first_day, last_day in drawn["time_off"]:
            TimeOff.objects.create(technician=technician, first_day=first_day, last_day=last_day)

    created_at = datetime.datetime(2026, 1, 1, tzinfo=UTC)
    for number, drawn in enumerate(portfolio["rotas"]):
        rota = OnCallRota.objects.create(
            name=f"Rota {number}",
            time_zone=drawn["time_zone"],
            starts_at=drawn["starts_at"],
            rotation_days=drawn["rotation_days"],
        )
        OnCallRotaHours.objects.bulk_create(
            period_rows(OnCallRotaHours, {"rota": rota}, drawn["hours"])
        )
        OnCallMember.objects.bulk_create(
            OnCallMember(rota=rota, technician=technicians[index], position=position)
            for position, index in enumerate(drawn["members"])
        )
        for index, starts_at, ends_at in drawn["overrides"]:
            override = OnCallOverride.objects.create(
                rota=rota, technician=technicians[index], starts_at=starts_at, ends_at=ends_at
            )
            # The newest wins: drawn order, one second apart.
            created_at += datetime.timedelta(seconds=1)
            OnCallOverride.objects.filter(pk=override.pk).update(created_at=created_at)

    agreements = []
    for drawn in portfolio["agreements"]:
        fields = {key: drawn[key] for key in ("status", "start_date", "end_date", "annual_value")}
        agreements.append(
            AgreementFactory(
                **fields,
                auto_renew=drawn["auto_renew"],
                support_hours=drawn["support_hours"],
                client=ClientFactory(time_zone=drawn["time_zone"]),
            )
        )
    requirements = []
    for drawn in portfolio["requirements"]:
        requirements.append(
            Requirement.objects.create(
                agreement=agreements[drawn["agreement"]],
                skill=None if drawn["skill"] is None else skill,
                version=None
                if drawn["skill"] is None
                else head_count.pick(versions, drawn["version"]),
                certification=None if drawn["certification"] is None else certification,
                min_level=drawn["min_level"],
                min_technicians=drawn["min_technicians"],
            )
        )
    return {
        "requirements": [requirement.pk for requirement in requirements],
        "agreements": [agreement.pk for agreement in agreements],
    }


def outcomes_of_engine(portfolio, keys):
    result = evaluate_coverage(day=portfolio["day"], warning_days=portfolio["window"])
    by_id = {coverage.requirement_id: coverage for coverage in result.requirements}
    return {
        index: {
            "status": coverage.status,
            "risk_kind": coverage.risk_kind,
            "lapses_on": coverage.lapses_on,
            "gap_starts_at": coverage.gap_starts_at,
            "gap_ends_at": coverage.gap_ends_at,
            "gap_cause": coverage.gap_cause,
            "uncovered_hours": coverage.uncovered_hours,
        }
        for index, pk in enumerate(keys["requirements"])
        if (coverage := by_id.get(pk)) is not None
    }


# ------------------------------------------------------------------------------------- tests


@pytest.mark.django_db
@settings(max_examples=60, deadline=None)
@given(portfolios())
@head_count.in_rolled_back_savepoint
def test_requirement_outcomes_through_the_support_window_match_the_reference(portfolio):
    keys = build(portfolio)

    engine = outcomes_of_engine(portfolio, keys)

    assert engine == reference_outcomes(portfolio)


def grid_of_engine(portfolio, agreement_id, *, with_causes):
    grid = week_grid(agreement_id=agreement_id, day=portfolio["day"])
    rows = [[(cell.count, cell.in_window, cell.gap) for cell in row] for row in grid.rows]
    gaps = [
        (gap.day, gap.starts_at, gap.ends_at, gap.cause if with_causes else "") for gap in grid.gaps
    ]
    return grid.days, rows, gaps


@pytest.mark.django_db
@settings(max_examples=20, deadline=None)
@given(portfolios())
@head_count.in_rolled_back_savepoint
def test_the_week_grid_matches_the_reference(portfolio):
    """Each agreement's week: the count of qualified people present in every cell, the support
    window, the gaps and (for an agreement of one requirement, where it is not a choice among
    requirements) their causes."""
    keys = build(portfolio)
    day = portfolio["day"]

    for index, agreement_id in enumerate(keys["agreements"]):
        requirements = [r for r in portfolio["requirements"] if r["agreement"] == index]
        if not requirements:
            continue
        with_causes = len(requirements) == 1
        rows, gaps = reference_week_grid(portfolio, index)
        assert grid_of_engine(portfolio, agreement_id, with_causes=with_causes) == (
            [day + days(n) for n in range(7)],
            [list(row) for row in rows],
            [(d, s, e, cause if with_causes else "") for d, s, e, cause in gaps],
        )


@pytest.mark.django_db
def test_a_doubled_half_hour_staffed_the_second_time_is_not_a_gap_of_the_grid():
    """Chicago's 01:00–02:00 happens twice on 1 Nov 2026 (06:00–07:00 and 07:00–08:00 UTC); the
    only technician works every hour but Sunday 06:00–07:00 UTC. The cells take the smaller
    count (0, a gap), but only the first hour is uncovered, as the requirement itself says."""
    day = datetime.date(2026, 10, 26)
    portfolio = {
        "day": day,
        "window": 0,
        "version_count": 1,
        "excluded": set(),
        "technicians": [
            {
                "status": Technician.Status.ACTIVE,
                "available_until": None,
                "skills": {0: {"level": 3, "oldest": None, "newest": None}},
                "certifications": {},
                "time_zone": "UTC",
                "hours": [*EVERY_DAY[:6], (6, 0, 360), (6, 420, 1440)],
                "time_off": [],
            }
        ],
        "rotas": [],
        "agreements": [
            {
                "status": Agreement.Status.ACTIVE,
                "start_date": day - days(30),
                "end_date": None,
                "annual_value": Decimal("12000"),
                "auto_renew": False,
                "support_hours": "24x7",
                "time_zone": "America/Chicago",
            }
        ],
        "requirements": [
            {
                "agreement": 0,
                "skill": 0,
                "version": None,
                "certification": None,
                "min_level": 3,
                "min_technicians": 1,
            }
        ],
    }
    keys = build(portfolio)
    first_hour = (
        datetime.datetime(2026, 11, 1, 6, tzinfo=UTC),
        datetime.datetime(2026, 11, 1, 7, tzinfo=UTC),
    )
    requirement = reference_outcomes(portfolio)[0]
    assert (requirement["gap_starts_at"], requirement["gap_ends_at"]) == first_hour
    assert outcomes_of_engine(portfolio, keys) == {0: requirement}
    rows, gaps = reference_week_grid(portfolio, 0)
    assert [cell[0] for cell in rows[6][2:5]] == [0, 0, 1]
    assert gaps == [(datetime.date(2026, 11, 1), *first_hour, "outside_hours")]

    grid = week_grid(agreement_id=keys["agreements"][0], day=day)

    assert grid_of_engine(portfolio, keys["agreements"][0], with_causes=True)[1:] == (
        [list(row) for row in rows],
        gaps,
    )
    assert grid.uncovered_hours == requirement["uncovered_hours"] == Decimal("1.0")
