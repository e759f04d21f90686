import datetime

import pytest
from django.core.exceptions import ValidationError

from skills.models import OnCallOverride, TimeOff, WorkingHours
from skills.rotas import schedule
from skills.team_time import services
from skills.team_time.selectors import rota_members, rota_turns
from skills.weekly_patterns import parse_pattern
from tests.skills.factories import TechnicianFactory
from tests.skills.team_time.factories import (
    OnCallMemberFactory,
    OnCallRotaFactory,
    TimeOffFactory,
    WorkingHoursFactory,
)

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 6, 3, 12, tzinfo=datetime.UTC)


def test_saving_a_week_replaces_the_technicians_rows_and_history_records_each():
    technician = TechnicianFactory()
    old = WorkingHoursFactory(technician=technician, weekday=6)

    services.working_hours_replace(
        technician=technician, periods=parse_pattern("Mon 09:00-12:00, Mon 13:00-24:00")
    )

    rows = technician.working_hours.order_by("start")
    assert [(row.weekday, row.start, row.end) for row in rows] == [
        (0, datetime.time(9), datetime.time(12)),
        (0, datetime.time(13), datetime.time(0)),
    ]
    assert WorkingHours.history.filter(id=old.pk, history_type="-").exists()
    assert WorkingHours.history.filter(history_type="+").count() == 3


def test_no_periods_leave_the_technician_on_the_default_hours():
    technician = TechnicianFactory()
    WorkingHoursFactory(technician=technician)

    services.working_hours_replace(technician=technician, periods=())

    assert not technician.working_hours.exists()


def test_time_off_overlapping_another_of_the_same_technician_is_refused():
    held = TimeOffFactory(first_day=datetime.date(2026, 6, 8), last_day=datetime.date(2026, 6, 12))

    with pytest.raises(ValidationError, match="already away 8 Jun 2026 – 12 Jun 2026"):
        services.time_off_save(
            time_off=None,
            technician=held.technician,
            fields={
                "first_day": datetime.date(2026, 6, 12),
                "last_day": datetime.date(2026, 6, 15),
                "kind": TimeOff.Kind.SICK,
            },
        )
    assert TimeOff.objects.count() == 1


def test_time_off_of_another_technician_or_edited_in_place_is_not_an_overlap():
    held = TimeOffFactory()
    TimeOffFactory(first_day=held.first_day, last_day=held.last_day)  # someone else

    services.time_off_save(
        time_off=held,
        technician=held.technician,
        fields={"last_day": held.last_day + datetime.timedelta(days=2)},
    )

    held.refresh_from_db()
    assert held.last_day == datetime.date(2026, 6, 14)


def test_members_move_and_leave_keeping_positions_in_order():
    rota = OnCallRotaFactory()
    ann, bob, cy = (
        OnCallMemberFactory(rota=rota, position=index, technician__name=name)
        for index, name in enumerate(["Ann Park", "Bob Reyes", "Cy Moreau"])
    )

    services.rota_member_move(rota=rota, member_id=cy.pk, step=-1)
    assert [m.technician.name for m in rota_members(rota=rota)] == [
        "Ann Park",
        "Cy Moreau",
        "Bob Reyes",
    ]
    services.rota_member_remove(rota=rota, member_id=ann.pk)
    members = rota_members(rota=rota)
    assert [(m.position, m.technician.name) for m in members] == [
        (0, "Cy Moreau"),
        (1, "Bob Reyes"),
    ]
    services.rota_member_move(rota=rota, member_id=bob.pk, step=1)  # already last: stays
    assert [m.pk for m in rota_members(rota=rota)] == [cy.pk, bob.pk]


def test_a_technician_is_added_to_a_rota_once():
    rota = OnCallRotaFactory()
    member = OnCallMemberFactory(rota=rota, position=0)

    with pytest.raises(ValidationError, match="already on this rota"):
        services.rota_member_add(rota=rota, technician=member.technician)
    added = services.rota_member_add(rota=rota, technician=TechnicianFactory())
    assert added.position == 1


def test_a_swap_gives_each_turn_the_others_technician_through_two_overrides():
    rota = OnCallRotaFactory()
    ann = OnCallMemberFactory(rota=rota, position=0).technician
    bob = OnCallMemberFactory(rota=rota, position=1).technician
    members = rota_members(rota=rota)
    first, second = rota_turns(rota=rota, members=members, now=NOW)[:2]

    services.rota_swap(rota=rota, first=first, second=second, note="Family visit")

    assert OnCallOverride.objects.count() == 2
    segments = schedule(
        rota=rota,
        members=[ann.pk, bob.pk],
        overrides=list(OnCallOverride.objects.all()),
        start=first.starts_at,
        end=second.ends_at,
    )
    assert [(s.technician_id, s.turn, s.is_override) for s in segments] == [
        (bob.pk, 0, True),
        (ann.pk, 1, True),
    ]
