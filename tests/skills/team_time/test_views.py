import datetime
import zoneinfo

import pytest
from django.urls import reverse

from skills.models import OnCallMember, OnCallOverride, OnCallRota, TimeOff, WorkingHours
from skills.rotas import handoff, schedule
from tests.forms import formset
from tests.skills.factories import TechnicianFactory
from tests.skills.team_time.factories import (
    OnCallMemberFactory,
    OnCallOverrideFactory,
    OnCallRotaFactory,
    TimeOffFactory,
    WorkingHoursFactory,
)

NOON = datetime.datetime(2026, 6, 3, 12, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOON, tick=False)]

READ_ROLES = [("admin_user", 200), ("consultant", 200), ("viewer", 200), (None, 302)]
WRITE_ROLES = [("admin_user", 200), ("consultant", 200), ("viewer", 403), (None, 302)]
WEEK_OFF = dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "")


def text(response):
    return response.content.decode()


@pytest.fixture
def rota():
    rota = OnCallRotaFactory(name="Out of hours")
    for position, name in enumerate(["Ann Park", "Bob Reyes"]):
        OnCallMemberFactory(rota=rota, position=position, technician__name=name)
    return rota


# ------------------------------------------------------------------------------ roles


def read_urls(rota):
    technician = rota.members.first().technician
    time_off = TimeOffFactory(technician=technician)
    return {
        "calendar": reverse("skills:team_calendar"),
        "rotas": reverse("skills:rota_list"),
        "rota": reverse("skills:rota_detail", args=[rota.pk]),
        "technician": reverse("skills:technician_detail", args=[time_off.technician_id]),
    }


def write_urls(rota):
    technician = rota.members.first().technician
    time_off = TimeOffFactory(technician=technician)
    return {
        "hours": reverse("skills:working_hours", args=[technician.pk]),
        "time off": reverse("skills:time_off_create", args=[technician.pk]),
        "edit time off": reverse("skills:time_off_update", args=[time_off.pk]),
        "delete time off": reverse("skills:time_off_delete", args=[time_off.pk]),
        "new rota": reverse("skills:rota_create"),
        "edit rota": reverse("skills:rota_update", args=[rota.pk]),
        "swap": reverse("skills:rota_swap", args=[rota.pk]),
        "cover": reverse("skills:rota_cover", args=[rota.pk]),
    }


@pytest.mark.parametrize(("role", "status"), READ_ROLES)
def test_team_time_pages_read_per_role(browse, rota, role, status):
    for url in read_urls(rota).values():
        assert browse(role).get(url).status_code == status, url


@pytest.mark.parametrize(("role", "status"), WRITE_ROLES)
def test_team_time_forms_per_role(browse, rota, role, status):
    for url in write_urls(rota).values():
        assert browse(role).get(url).status_code == status, url


def test_a_viewer_cannot_post_any_change(viewer_client, rota):
    member = rota.members.first()
    urls = [*write_urls(rota).values(), reverse("skills:rota_members", args=[rota.pk])]
    for url in urls:
        response = viewer_client.post(url, {"member": member.pk, "action": "remove"})
        assert response.status_code == 403, url
    assert OnCallMember.objects.count() == 2
    assert TimeOff.objects.count() == 1


def test_the_viewer_sees_no_buttons_that_change(viewer_client, rota):
    page = text(viewer_client.get(reverse("skills:rota_detail", args=[rota.pk])))

    assert "Edit rota" not in page
    assert ">Swap<" not in page
    assert "Remove" not in page


# ------------------------------------------------------------------------------ technician


def test_the_technician_page_shows_the_zone_week_and_time_off(consultant_client):
    technician = TechnicianFactory(name="Dana Ortiz", time_zone="Europe/London")
    WorkingHoursFactory(technician=technician, weekday=0, start=datetime.time(8))
    TimeOffFactory(technician=technician, note="Lisbon")
    TimeOffFactory(
        technician=technician,
        first_day=datetime.date(2026, 5, 1),
        last_day=datetime.date(2026, 5, 2),
        note="long over",
    )

    page = text(consultant_client.get(reverse("skills:technician_detail", args=[technician.pk])))

    assert "Time zone Europe/London" in page
    assert "08:00–17:00" in page
    assert "8 Jun 2026 – 12 Jun 2026" in page and "Lisbon" in page
    assert "long over" not in page
    assert "Add time off" in page


def test_the_technician_page_says_when_the_default_hours_apply(consultant_client):
    technician = TechnicianFactory()

    page = text(consultant_client.get(reverse("skills:technician_detail", args=[technician.pk])))

    assert "The firm's default hours" in page
    assert "09:00–17:00" in page


def test_the_technician_form_saves_the_time_zone(consultant_client):
    technician = TechnicianFactory(name="Dana Ortiz")
    url = reverse("skills:technician_update", args=[technician.pk])
    assert 'value="Europe/Lisbon"' in text(consultant_client.get(url))

    response = consultant_client.post(
        url,
        {
            "name": "Dana Ortiz",
            "email": technician.email,
            "status": "active",
            "time_zone": "Europe/Lisbon",
            **formset("skills", []),
            **formset("certifications", []),
        },
    )

    assert response.status_code == 302
    technician.refresh_from_db()
    assert technician.time_zone == "Europe/Lisbon"


def test_saving_a_custom_week(consultant_client):
    technician = TechnicianFactory()
    url = reverse("skills:working_hours", args=[technician.pk])

    response = consultant_client.post(
        url, {"choice": "custom", **WEEK_OFF, "mon": "09:00-12:00, 13:00-17:30"}
    )

    assert response.status_code == 302
    assert list(technician.working_hours.values_list("start", "end")) == [
        (datetime.time(9), datetime.time(12)),
        (datetime.time(13), datetime.time(17, 30)),
    ]


def test_a_bad_week_is_shown_again_with_the_days_error(consultant_client):
    technician = TechnicianFactory()
    WorkingHoursFactory(technician=technician)
    url = reverse("skills:working_hours", args=[technician.pk])

    response = consultant_client.post(url, {"choice": "custom", **WEEK_OFF, "fri": "09:10-17:00"})

    assert response.status_code == 200
    assert "times are on the half hour" in text(response)
    assert WorkingHours.objects.count() == 1


def test_choosing_the_default_removes_the_technicians_hours(consultant_client):
    technician = TechnicianFactory()
    WorkingHoursFactory(technician=technician)
    url = reverse("skills:working_hours", args=[technician.pk])

    consultant_client.post(url, {"choice": "default", **WEEK_OFF})

    assert not WorkingHours.objects.exists()


def test_adding_overlapping_time_off_is_refused_with_a_message(consultant_client):
    held = TimeOffFactory()
    url = reverse("skills:time_off_create", args=[held.technician_id])

    response = consultant_client.post(
        url, {"first_day": "2026-06-10", "last_day": "2026-06-20", "kind": "sick", "note": ""}
    )

    assert response.status_code == 200
    assert "already away 8 Jun 2026 – 12 Jun 2026" in text(response)
    assert TimeOff.objects.count() == 1


def test_time_off_is_added_edited_and_deleted(consultant_client):
    technician = TechnicianFactory()
    consultant_client.post(
        reverse("skills:time_off_create", args=[technician.pk]),
        {"first_day": "2026-07-01", "last_day": "2026-07-03", "kind": "training", "note": "AZ-104"},
    )
    time_off = TimeOff.objects.get()
    consultant_client.post(
        reverse("skills:time_off_update", args=[time_off.pk]),
        {"first_day": "2026-07-01", "last_day": "2026-07-04", "kind": "training", "note": ""},
    )
    time_off.refresh_from_db()
    assert time_off.last_day == datetime.date(2026, 7, 4)

    response = consultant_client.post(reverse("skills:time_off_delete", args=[time_off.pk]))

    assert response.status_code == 302
    assert not TimeOff.objects.exists()


# ------------------------------------------------------------------------------ calendar


def test_the_calendar_counts_people_off_each_day_and_lists_the_months_time_off(consultant_client):
    TimeOffFactory(technician__name="Dana Ortiz")  # 8–12 Jun
    TimeOffFactory(
        technician__name="Sam Lee",
        first_day=datetime.date(2026, 5, 28),
        last_day=datetime.date(2026, 6, 9),
    )
    TimeOffFactory(first_day=datetime.date(2026, 7, 6), last_day=datetime.date(2026, 7, 6))

    response = consultant_client.get(reverse("skills:team_calendar"), {"month": "2026-06"})

    cells = {cell.day: cell.away for week in response.context["calendar"].weeks for cell in week}
    assert cells[datetime.date(2026, 6, 7)] == 1
    assert cells[datetime.date(2026, 6, 8)] == 2
    assert cells[datetime.date(2026, 6, 13)] == 0
    assert [span.technician.name for span in response.context["page_obj"]] == [
        "Sam Lee",
        "Dana Ortiz",
    ]


def test_the_calendar_shows_one_technician_alone(consultant_client):
    dana = TimeOffFactory(technician__name="Dana Ortiz").technician
    TimeOffFactory(technician__name="Sam Lee")

    response = consultant_client.get(
        reverse("skills:team_calendar"), {"month": "2026-06", "technician": dana.pk}
    )

    assert [span.technician for span in response.context["page_obj"]] == [dana]
    assert "Team calendar: Dana Ortiz" in text(response)


def test_a_bad_month_is_refused_with_a_message_and_this_month_shown(consultant_client):
    response = consultant_client.get(reverse("skills:team_calendar"), {"month": "2026-13"})

    assert response.status_code == 400
    assert "Give a month as YYYY-MM" in text(response)
    assert response.context["calendar"].title == "June 2026"


@pytest.mark.parametrize("rows", [1, 40])
def test_team_calendar_query_count_does_not_grow_with_the_team(
    consultant_client, django_assert_num_queries, rows
):
    for index in range(rows):
        day = datetime.date(2026, 6, 1 + index % 28)
        TimeOffFactory(first_day=day, last_day=day + datetime.timedelta(days=3))
    # session, user, savepoint and release (atomic requests), the user's permissions, the user's
    # group permissions, the day counts of the month, the count for the paginator, the page of
    # time off with technicians
    with django_assert_num_queries(9):
        response = consultant_client.get(reverse("skills:team_calendar"), {"month": "2026-06"})
    assert len(response.context["page_obj"]) == min(rows, 25)


# ------------------------------------------------------------------------------ rotas


def rota_post_data(**fields):
    return {
        "name": "Weekend desk",
        "time_zone": "Europe/London",
        "first_day": "2026-06-05",
        "first_time": "18:00",
        "rotation_days": "7",
        "notes": "",
        "hours-choice": "custom",
        **{f"hours-{day}": "" for day in WEEK_OFF},
        "hours-sat": "00:00-24:00",
        "hours-sun": "00:00-24:00",
        **fields,
    }


def test_creating_a_rota_with_its_hours(consultant_client):
    response = consultant_client.post(reverse("skills:rota_create"), rota_post_data())

    rota = OnCallRota.objects.get()
    assert response.status_code == 302
    assert rota.starts_at == datetime.datetime(2026, 6, 5, 17, tzinfo=datetime.UTC)
    assert sorted(rota.hours.values_list("weekday", flat=True)) == [5, 6]


def test_a_rota_on_the_default_hours_has_no_rows(consultant_client, rota):
    data = rota_post_data(name=rota.name, **{"hours-choice": "default"})

    consultant_client.post(reverse("skills:rota_update", args=[rota.pk]), data)

    assert not rota.hours.exists()


def test_members_are_added_moved_and_removed_from_the_rota_page(consultant_client, rota):
    url = reverse("skills:rota_members", args=[rota.pk])
    cy = TechnicianFactory(name="Cy Moreau")

    consultant_client.post(url, {"technician": cy.pk})
    consultant_client.post(url, {"member": rota.members.get(technician=cy).pk, "action": "up"})
    ann = rota.members.get(position=0)
    consultant_client.post(url, {"member": ann.pk, "action": "remove"})

    assert list(rota.members.values_list("technician__name", flat=True)) == [
        "Cy Moreau",
        "Bob Reyes",
    ]


def test_adding_someone_already_on_the_rota_says_so(consultant_client, rota):
    member = rota.members.first()

    response = consultant_client.post(
        reverse("skills:rota_members", args=[rota.pk]),
        {"technician": member.technician_id},
        follow=True,
    )

    assert "is already on this rota" in text(response)
    assert rota.members.count() == 2


def test_the_rota_page_shows_eight_weeks_of_turns_in_the_rotas_zone(consultant_client, rota):
    page_response = consultant_client.get(reverse("skills:rota_detail", args=[rota.pk]))
    page = text(page_response)

    turns = page_response.context["turns"]
    assert len(turns) == 9  # the turn under way and the eight after it
    assert turns[0].text == "Mon 1 Jun 2026 09:00 – Mon 8 Jun 2026 09:00"
    assert [turn.technician_name for turn in turns[:3]] == ["Ann Park", "Bob Reyes", "Ann Park"]
    assert "Times in America/New_York" in page


def test_swap_asks_to_confirm_then_writes_two_overrides(consultant_client, rota):
    url = reverse("skills:rota_swap", args=[rota.pk])
    data = {"first": "0", "second": "1", "note": "Family visit"}

    review = consultant_client.post(url, data)
    assert "Please confirm" in text(review)
    assert "Bob Reyes takes the turn Mon 1 Jun 2026 09:00" in text(review)
    assert not OnCallOverride.objects.exists()

    response = consultant_client.post(url, {**data, "confirm": "yes"}, follow=True)

    assert OnCallOverride.objects.count() == 2
    turns = response.context["turns"]
    assert [(turn.technician_name, turn.is_overridden) for turn in turns[:2]] == [
        ("Bob Reyes", True),
        ("Ann Park", True),
    ]
    assert "instead of Ann Park" in text(response)


def test_swapping_two_turns_of_one_person_is_refused(consultant_client, rota):
    response = consultant_client.post(
        reverse("skills:rota_swap", args=[rota.pk]), {"first": "0", "second": "2"}
    )

    assert "Both turns are the same person" in text(response)


def test_cover_writes_one_override_marked_on_the_turn(consultant_client, rota):
    cy = TechnicianFactory(name="Cy Moreau")
    data = {
        "turn": "1",
        "technician": cy.pk,
        "from_day": "2026-06-09",
        "from_time": "18:00",
        "until_day": "2026-06-10",
        "until_time": "09:00",
        "note": "",
    }
    url = reverse("skills:rota_cover", args=[rota.pk])

    review = consultant_client.post(url, data)
    assert "Cy Moreau covers Tue 9 Jun 2026 18:00 – Wed 10 Jun 2026 09:00" in text(review)
    response = consultant_client.post(url, {**data, "confirm": "yes"}, follow=True)

    override = OnCallOverride.objects.get()
    assert override.starts_at == datetime.datetime(2026, 6, 9, 22, tzinfo=datetime.UTC)
    turn = response.context["turns"][1]
    assert turn.technician_name == "Bob Reyes"
    assert [cover.technician_name for cover in turn.covers] == ["Cy Moreau"]


def test_a_cover_outside_its_turn_is_refused(consultant_client, rota):
    cy = TechnicianFactory()
    response = consultant_client.post(
        reverse("skills:rota_cover", args=[rota.pk]),
        {
            "turn": "1",
            "technician": cy.pk,
            "from_day": "2026-06-14",
            "from_time": "18:00",
            "until_day": "2026-06-16",
            "until_time": "09:00",
            "confirm": "yes",
        },
    )

    assert "The cover must fall inside the turn" in text(response)
    assert not OnCallOverride.objects.exists()


@pytest.mark.parametrize("rows", [1, 12])
def test_rota_page_query_count_does_not_grow_with_members_or_overrides(
    consultant_client, django_assert_num_queries, rows
):
    rota = OnCallRotaFactory()
    for position in range(rows):
        OnCallMemberFactory(rota=rota, position=position)
        starts = NOON + datetime.timedelta(days=2 * position)
        OnCallOverrideFactory(
            rota=rota, starts_at=starts, ends_at=starts + datetime.timedelta(hours=6)
        )
    # session, user, savepoint and release (atomic requests), the user's permissions, the user's
    # group permissions, the rota, its members with technicians, its hours, the overrides in the
    # eight weeks with technicians
    with django_assert_num_queries(10):
        response = consultant_client.get(reverse("skills:rota_detail", args=[rota.pk]))
    assert len(response.context["members"]) == rows


def test_rota_list_query_count_does_not_grow(consultant_client, django_assert_num_queries):
    for _ in range(3):
        OnCallMemberFactory()
    # session, user, savepoint and release (atomic requests), the user's permissions, the user's
    # group permissions, the paginator's count, the page of rotas with their member counts
    with django_assert_num_queries(8):
        consultant_client.get(reverse("skills:rota_list"))


# ------------------------------------------------------------------------------ across DST


@pytest.mark.time_machine(datetime.datetime(2027, 3, 20, 12, tzinfo=datetime.UTC), tick=False)
def test_the_rota_page_follows_the_schedule_across_a_clock_change(consultant_client):
    london = zoneinfo.ZoneInfo("Europe/London")
    rota = OnCallRotaFactory(
        time_zone="Europe/London",
        starts_at=datetime.datetime(2027, 3, 15, 9, tzinfo=london),
        rotation_days=7,
    )
    ids = [
        OnCallMemberFactory(rota=rota, position=index, technician__name=name).technician_id
        for index, name in enumerate(["Ann Park", "Bob Reyes", "Cy Moreau"])
    ]

    response = consultant_client.get(reverse("skills:rota_detail", args=[rota.pk]))

    turns = response.context["turns"]
    now = datetime.datetime(2027, 3, 20, 12, tzinfo=datetime.UTC)
    expected = schedule(
        rota=rota,
        members=ids,
        overrides=[],
        start=handoff(zone=rota.time_zone, starts_at=rota.starts_at, rotation_days=7, turn=0),
        end=now + datetime.timedelta(weeks=8),
    )
    assert [(turn.turn, turn.starts_at, turn.technician_id) for turn in turns] == [
        (segment.turn, segment.starts_at, segment.technician_id) for segment in expected
    ]
    # The clocks go forward on 28 March: the hand-off stays at 09:00 local, 08:00 UTC.
    assert turns[1].starts_at == datetime.datetime(2027, 3, 22, 9, tzinfo=datetime.UTC)
    assert turns[2].starts_at == datetime.datetime(2027, 3, 29, 8, tzinfo=datetime.UTC)
    assert turns[2].text == "Mon 29 Mar 2027 09:00 – Mon 5 Apr 2027 09:00"
    assert turns[1].text == "Mon 22 Mar 2027 09:00 – Mon 29 Mar 2027 09:00"
