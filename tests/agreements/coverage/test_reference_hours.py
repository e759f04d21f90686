"""The slot-by-slot reference (reference_hours) on cases worked out by hand, so that it is right
on its own before it judges the engine. Plain data: no database."""

import datetime
from decimal import Decimal

from django.conf import settings as django_settings
from hypothesis import given, settings

from tests.agreements.coverage import test_engine_property as head_count
from tests.agreements.coverage.reference_hours import reference_outcomes

UTC = datetime.UTC
MONDAY = datetime.date(2026, 6, 15)


def at(day, hour, minute=0):
    """An aware UTC moment."""
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def june(day, hour=0, minute=0):
    return at(datetime.date(2026, 6, day), hour, minute)


def technician(time_zone="UTC", **extra):
    return {
        "status": "active",
        "available_until": None,
        "skills": {0: {"level": 3, "oldest": None, "newest": None}},
        "certifications": {},
        "time_zone": time_zone,
        "hours": None,
        "time_off": [],
        **extra,
    }


def portfolio(*, day, window, technicians, support_hours, client_zone="UTC", rotas=(), **req):
    return {
        "day": day,
        "window": window,
        "technicians": list(technicians),
        "excluded": set(),
        "agreements": [
            {
                "status": "active",
                "start_date": datetime.date(2026, 1, 1),
                "end_date": None,
                "auto_renew": False,
                "support_hours": support_hours,
                "time_zone": client_zone,
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
                **req,
            }
        ],
        "rotas": list(rotas),
    }


def outcome(data):
    return reference_outcomes(data)[0]


def gap_of(result):
    return (
        result["status"],
        result["gap_starts_at"],
        result["gap_ends_at"],
        result["gap_cause"],
        result["uncovered_hours"],
    )


def test_a_24x7_agreement_without_a_rota_is_uncovered_from_midnight_to_nine():
    data = portfolio(
        day=MONDAY,
        window=14,
        technicians=[technician("America/New_York")],
        support_hours="24x7",
        client_zone="America/New_York",
    )

    # New York is UTC−4 in June: 00:00–09:00 local is 04:00–13:00 UTC; 168 − 5 × 8 hours.
    assert gap_of(outcome(data)) == (
        "uncovered",
        june(15, 4),
        june(15, 13),
        "outside_hours",
        Decimal("128.0"),
    )

    data["technicians"].append(technician("America/New_York"))
    data["rotas"].append(
        {
            "time_zone": "America/New_York",
            "starts_at": june(8, 13),  # Monday 09:00 in New York
            "rotation_days": 7,
            "hours": None,
            "members": [0, 1],
            "overrides": [],
        }
    )
    assert outcome(data)["status"] == "covered"

    # Nobody qualifies at all: the whole first day, every hour of the week.
    data["requirements"][0]["min_level"] = 5
    assert gap_of(outcome(data)) == (
        "uncovered",
        june(15, 4),
        june(16, 4),
        "nobody_qualified",
        Decimal("168.0"),
    )


def test_london_nine_to_five_leaves_chicago_afternoons_uncovered_in_june():
    data = portfolio(
        day=MONDAY,
        window=0,
        technicians=[technician("Europe/London")],
        support_hours="8x5",
        client_zone="America/Chicago",
    )

    # London 09:00–17:00 BST = 08:00–16:00 UTC = 03:00–11:00 CDT: 11:00–17:00 Chicago is bare.
    assert gap_of(outcome(data)) == (
        "uncovered",
        june(15, 16),
        june(15, 22),
        "outside_hours",
        Decimal("30.0"),
    )


def test_a_daylight_saving_change_moves_the_gap_by_an_hour():
    def gap_from(day):
        return gap_of(
            outcome(
                portfolio(
                    day=day,
                    window=0,
                    technicians=[technician("Europe/London")],
                    support_hours="8x5",
                    client_zone="America/New_York",
                )
            )
        )

    # New York is on summer time from 8 March, London from 29 March. Before: London 09:00–17:00
    # GMT is 05:00–13:00 in New York, the gap 13:00–17:00 EDT (17:00–21:00 UTC), 4 hours a day.
    assert gap_from(datetime.date(2026, 3, 23)) == (
        "uncovered",
        at(datetime.date(2026, 3, 23), 17),
        at(datetime.date(2026, 3, 23), 21),
        "outside_hours",
        Decimal("20.0"),
    )
    # After: 04:00–12:00 in New York, the gap 12:00–17:00, 5 hours a day.
    assert gap_from(datetime.date(2026, 3, 30)) == (
        "uncovered",
        at(datetime.date(2026, 3, 30), 16),
        at(datetime.date(2026, 3, 30), 21),
        "outside_hours",
        Decimal("25.0"),
    )
    # A week across the change: Thursday and Friday at 4 hours, Monday to Wednesday at 5.
    assert gap_from(datetime.date(2026, 3, 26))[4] == Decimal("23.0")


def rota_of_two():
    """UTC rota outside Mon–Fri 09:00–17:00, weekly hand-offs on Mondays at 09:00: technician 0
    until 15 June 09:00, 1 until 22 June 09:00, 0 until 29 June 09:00."""
    return {
        "time_zone": "UTC",
        "starts_at": june(8, 9),
        "rotation_days": 7,
        "hours": None,
        "members": [0, 1],
        "overrides": [],
    }


def test_time_off_on_call_makes_it_lapsing_and_an_override_covers_or_breaks_it():
    rota = rota_of_two()
    data = portfolio(
        day=MONDAY,
        window=14,
        technicians=[technician(), technician(), technician(skills={})],
        support_hours="24x7",
        rotas=[rota],
    )
    assert outcome(data)["status"] == "covered"

    # Technician 1, on call that weekend, is away on it: nobody on Saturday and Sunday.
    data["technicians"][1]["time_off"] = [(datetime.date(2026, 6, 20), datetime.date(2026, 6, 21))]
    result = outcome(data)
    assert (result["risk_kind"], result["lapses_on"]) == ("lapsing", datetime.date(2026, 6, 20))
    assert gap_of(result) == ("at_risk", june(20), june(21), "time_off", Decimal("48.0"))

    # Technician 0 covers the weekend.
    rota["overrides"].append((0, june(20), june(22)))
    assert outcome(data)["status"] == "covered"

    # A newer override puts technician 2, who does not qualify, on call for six hours: that is a
    # gap now, time off or not.
    rota["overrides"].append((2, june(20), june(20, 6)))
    assert gap_of(outcome(data)) == (
        "uncovered",
        june(20),
        june(20, 6),
        "on_call_unqualified",
        Decimal("6.0"),
    )


def test_a_certification_expiring_during_a_turn_dates_the_gap():
    no_skill = {"skills": {}}
    data = portfolio(
        day=MONDAY,
        window=14,
        technicians=[
            technician(**no_skill, certifications={0: datetime.date(2026, 6, 24)}),
            technician(**no_skill, certifications={0: None}),
        ],
        support_hours="24x7",
        rotas=[rota_of_two()],
        skill=None,
        certification=0,
    )

    # Technician 0 is on call from 22 June 09:00 but certified only through 24 June: from 25 June
    # 00:00 to 09:00 nobody certified is there. To 28 June: 16 + 16 + 24 + 24 hours. The head
    # count stays covered (technician 1 lasts).
    result = outcome(data)
    assert (result["risk_kind"], result["lapses_on"]) == ("lapsing", datetime.date(2026, 6, 25))
    assert gap_of(result) == (
        "at_risk",
        june(25),
        june(25, 9),
        "certification_expiry",
        Decimal("80.0"),
    )

    # Two needed: the head count lapses on 25 June as well.
    data["requirements"][0]["min_technicians"] = 2
    result = outcome(data)
    assert (result["status"], result["risk_kind"], result["lapses_on"]) == (
        "at_risk",
        "lapsing",
        datetime.date(2026, 6, 25),
    )

    # Three needed: thin, and the dated gap still gives its date.
    data["requirements"][0]["min_technicians"] = 3
    result = outcome(data)
    assert (result["status"], result["risk_kind"], result["lapses_on"]) == (
        "at_risk",
        "thin",
        datetime.date(2026, 6, 25),
    )
    assert result["gap_starts_at"] == june(25)


@settings(max_examples=150, deadline=None)
@given(head_count.portfolios())
def test_an_8x5_agreement_with_default_hours_in_the_firms_zone_keeps_the_head_count(drawn):
    """DESIGN: with no hours, time off or rotas recorded, an 8x5 agreement in the firm's time zone
    gets the same status as before; only a thin requirement may gain a lapses_on, the first
    weekday on which nobody qualifies (as test_engine_property's reference now reads it)."""
    zone = django_settings.TIME_ZONE
    data = {
        **drawn,
        "day": head_count.DAY,
        "technicians": [
            {**t, "time_zone": zone, "hours": None, "time_off": []} for t in drawn["technicians"]
        ],
        "agreements": [
            {**a, "support_hours": "8x5", "time_zone": zone} for a in drawn["agreements"]
        ],
        "rotas": [],
    }
    active = [
        index
        for index, requirement in enumerate(drawn["requirements"])
        if head_count.is_active(drawn["agreements"][requirement["agreement"]], head_count.DAY)
    ]

    for index, result in reference_outcomes(data, active).items():
        before = head_count.reference_requirement(drawn, drawn["requirements"][index])
        assert (result["status"], result["risk_kind"], result["lapses_on"]) == (
            before["status"],
            before["risk_kind"],
            before["lapses_on"],
        )
