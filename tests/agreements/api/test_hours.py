"""The team's time in the API: time off with its filters and refusals, a technician's working
week read and replaced, and the rotas with whose turn it is."""

import datetime

import pytest
import time_machine

from skills.models import OnCallMember, OnCallOverride, OnCallRota, TimeOff, WorkingHours
from tests.skills.factories import TechnicianFactory

pytestmark = pytest.mark.django_db

D = datetime.date
T = datetime.time
UTC = datetime.UTC


@pytest.fixture
def dana():
    return TechnicianFactory(name="Dana Ortiz", time_zone="Europe/London")


@pytest.fixture
def sam():
    return TechnicianFactory(name="Sam Lee")


def time_off(technician, first_day, last_day, **fields):
    return TimeOff.objects.create(
        technician=technician, first_day=first_day, last_day=last_day, **fields
    )


# ------------------------------------------------------------------------------ time off


def test_time_off_filters_by_technician_and_days(api, viewer, dana, sam):
    christmas = time_off(dana, D(2026, 12, 24), D(2026, 12, 26))
    time_off(dana, D(2027, 3, 1), D(2027, 3, 5))
    sams = time_off(sam, D(2026, 12, 20), D(2026, 12, 31), kind="training")
    client = api(viewer)

    def ids(**query):
        response = client.get("/api/v1/time-off/", query)
        assert response.status_code == 200, response.json()
        return [row["id"] for row in response.json()["results"]]

    assert ids(from_day="2026-12-25", to_day="2026-12-25") == [christmas.pk, sams.pk]
    assert ids(technician=dana.pk, to_day="2027-01-31") == [christmas.pk]
    assert ids(kind="training") == [sams.pk]
    row = client.get(f"/api/v1/time-off/{christmas.pk}/").json()
    assert (row["technician_name"], row["first_day"], row["last_day"], row["kind"]) == (
        "Dana Ortiz",
        "2026-12-24",
        "2026-12-26",
        "vacation",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_day": "2027-01-08", "last_day": "2027-01-04"}, "last_day"),
        ({"first_day": "2026-12-26", "last_day": "2026-12-28"}, "non_field_errors"),
        ({"first_day": "1200-01-01", "last_day": "2027-01-04"}, "first_day"),
        ({"first_day": "2027-01-04", "last_day": "2027-01-04", "kind": "party"}, "kind"),
        ({"first_day": "someday", "last_day": "2027-01-04"}, "first_day"),
    ],
)
def test_bad_time_off_is_refused_by_field_and_writes_nothing(api, consultant, dana, body, field):
    time_off(dana, D(2026, 12, 24), D(2026, 12, 26))

    response = api(consultant).post(
        "/api/v1/time-off/", {"technician": dana.pk, **body}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert TimeOff.objects.count() == 1


def test_overlap_is_named_with_the_span_it_meets(api, consultant, dana):
    time_off(dana, D(2026, 12, 24), D(2026, 12, 26))
    response = api(consultant).post(
        "/api/v1/time-off/",
        {"technician": dana.pk, "first_day": "2026-12-26", "last_day": "2026-12-28"},
        format="json",
    )
    assert response.json() == {
        "non_field_errors": [
            "Dana Ortiz is already away 24 Dec 2026 – 26 Dec 2026 (vacation): change that "
            "entry, or choose other days."
        ]
    }


def test_a_span_may_be_lengthened_over_its_own_days(api, consultant, dana):
    row = time_off(dana, D(2026, 12, 24), D(2026, 12, 26))

    response = api(consultant).patch(
        f"/api/v1/time-off/{row.pk}/", {"last_day": "2027-01-02"}, format="json"
    )

    assert response.status_code == 200, response.json()
    row.refresh_from_db()
    assert row.last_day == D(2027, 1, 2)
    assert row.history.first().history_user is not None


# ------------------------------------------------------------------------------ working hours


def test_a_technician_without_periods_works_the_default_hours(api, viewer, dana):
    response = api(viewer).get(f"/api/v1/technicians/{dana.pk}/working-hours/")

    assert response.json() == {
        "technician": dana.pk,
        "time_zone": "Europe/London",
        "default_hours": True,
        "hours": "Mon–Fri 09:00–17:00",
        "periods": [],
    }


def test_a_consultant_replaces_a_week(api, consultant, dana):
    WorkingHours.objects.create(technician=dana, weekday=0, start=T(9), end=T(17))
    WorkingHours.objects.create(technician=dana, weekday=6, start=T(9), end=T(17))
    week = [{"weekday": day, "start": "08:00", "end": "16:30"} for day in range(4)] + [
        {"weekday": 4, "start": "20:00", "end": "00:00"}
    ]

    response = api(consultant).put(
        f"/api/v1/technicians/{dana.pk}/working-hours/", {"periods": week}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["hours"] == "Mon–Thu 08:00–16:30, Fri 20:00–24:00"
    assert response.json()["periods"][-1] == {"weekday": 4, "start": "20:00", "end": "00:00"}
    assert WorkingHours.objects.filter(technician=dana).count() == 5
    assert WorkingHours.history.filter(history_type="-").count() == 2


def test_an_empty_week_is_the_default_hours(api, consultant, dana):
    WorkingHours.objects.create(technician=dana, weekday=0, start=T(9), end=T(17))

    response = api(consultant).put(
        f"/api/v1/technicians/{dana.pk}/working-hours/", {"periods": []}, format="json"
    )

    assert response.json()["default_hours"] is True
    assert not WorkingHours.objects.exists()


@pytest.mark.parametrize(
    ("periods", "message"),
    [
        ([{"weekday": 0, "start": "09:15", "end": "17:00"}], "Period 1: Times are on the half"),
        ([{"weekday": 0, "start": "17:00", "end": "09:00"}], "Period 1: The end must come"),
        (
            [
                {"weekday": 0, "start": "09:00", "end": "17:00"},
                {"weekday": 0, "start": "12:00", "end": "20:00"},
            ],
            "Mon 09:00–17:00 overlaps 12:00–20:00. Join them or move one.",
        ),
    ],
)
def test_a_bad_week_is_refused_and_keeps_the_old_one(api, consultant, dana, periods, message):
    WorkingHours.objects.create(technician=dana, weekday=2, start=T(9), end=T(17))

    response = api(consultant).put(
        f"/api/v1/technicians/{dana.pk}/working-hours/", {"periods": periods}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["periods"][0].startswith(message), response.json()
    assert list(WorkingHours.objects.values_list("weekday", flat=True)) == [2]


def test_a_malformed_week_is_refused_by_field(api, consultant, dana):
    response = api(consultant).put(
        f"/api/v1/technicians/{dana.pk}/working-hours/",
        {"periods": [{"weekday": 9, "start": "late", "end": "17:00"}]},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["periods"]["0"]) == {"weekday", "start"}


def test_a_time_with_seconds_is_refused_not_rounded(api, consultant, dana):
    response = api(consultant).put(
        f"/api/v1/technicians/{dana.pk}/working-hours/",
        {"periods": [{"weekday": 0, "start": "09:00:30", "end": "17:00"}]},
        format="json",
    )

    assert response.status_code == 400
    assert "half hour" in str(response.json()["periods"])
    assert not WorkingHours.objects.exists()


def test_time_off_moved_to_another_technician_meets_their_spans(api, consultant, dana):
    lee = TechnicianFactory(name="Lee Park")
    time_off(lee, D(2026, 12, 24), D(2026, 12, 26))
    row = time_off(dana, D(2026, 12, 24), D(2026, 12, 24))

    response = api(consultant).patch(
        f"/api/v1/time-off/{row.pk}/", {"technician": lee.pk}, format="json"
    )

    assert response.status_code == 400
    assert "Lee Park is already away" in response.json()["non_field_errors"][0]
    row.refresh_from_db()
    assert row.technician_id == dana.pk


def test_roles_on_the_working_week(api, viewer, dana):
    url = f"/api/v1/technicians/{dana.pk}/working-hours/"
    assert api(None).get(url).status_code == 401
    assert api(viewer).get(url).status_code == 200
    assert api(viewer).put(url, {"periods": []}, format="json").status_code == 403
    assert api(viewer).get("/api/v1/technicians/999999/working-hours/").status_code == 404


# ------------------------------------------------------------------------------ rotas


def utc(moment: str) -> str:
    return f"{datetime.datetime.fromisoformat(moment).astimezone(UTC):%Y-%m-%d %H:%M}"


@pytest.fixture
def rota(dana, sam):
    rota = OnCallRota.objects.create(
        name="Nights",
        time_zone="America/Chicago",
        starts_at=datetime.datetime(2027, 1, 4, 17, tzinfo=UTC) + datetime.timedelta(hours=6),
        rotation_days=7,
    )
    OnCallMember.objects.create(rota=rota, technician=dana, position=0)
    OnCallMember.objects.create(rota=rota, technician=sam, position=1)
    return rota


@time_machine.travel(datetime.datetime(2027, 1, 10, 12, tzinfo=UTC), tick=False)
def test_a_rota_reads_with_members_hours_and_coming_overrides(api, viewer, rota, sam):
    OnCallOverride.objects.create(
        rota=rota,
        technician=sam,
        starts_at=datetime.datetime(2027, 1, 5, tzinfo=UTC),
        ends_at=datetime.datetime(2027, 1, 6, tzinfo=UTC),
    )
    coming = OnCallOverride.objects.create(
        rota=rota,
        technician=sam,
        starts_at=datetime.datetime(2027, 1, 12, tzinfo=UTC),
        ends_at=datetime.datetime(2027, 1, 13, tzinfo=UTC),
    )

    response = api(viewer).get(f"/api/v1/rotas/{rota.pk}/")

    body = response.json()
    assert [(m["position"], m["technician_name"]) for m in body["members"]] == [
        (0, "Dana Ortiz"),
        (1, "Sam Lee"),
    ]
    assert body["default_hours"] is True
    assert body["hours_text"] == "Mon–Fri 00:00–09:00, Mon–Fri 17:00–24:00, Sat–Sun 00:00–24:00"
    assert [override["id"] for override in body["overrides"]] == [coming.pk]
    assert api(viewer).get("/api/v1/rotas/").json()["results"][0]["name"] == "Nights"


@time_machine.travel(datetime.datetime(2027, 1, 10, 12, tzinfo=UTC), tick=False)
def test_the_schedule_hands_off_each_week_with_overrides(api, viewer, rota, dana, sam):
    cover = OnCallOverride.objects.create(
        rota=rota,
        technician=sam,
        starts_at=datetime.datetime(2027, 1, 6, 6, tzinfo=UTC),
        ends_at=datetime.datetime(2027, 1, 6, 12, tzinfo=UTC),
    )

    response = api(viewer).get(
        f"/api/v1/rotas/{rota.pk}/schedule/", {"start": "2027-01-04", "end": "2027-01-17"}
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["start"], body["end"], body["time_zone"]) == (
        "2027-01-04",
        "2027-01-17",
        "America/Chicago",
    )
    # Hand-offs at 17:00 Chicago time (23:00 UTC) on Mondays.
    assert [
        (s["technician_name"], utc(s["starts_at"]), utc(s["ends_at"]), s["turn"], s["override"])
        for s in body["segments"]
    ] == [
        ("Dana Ortiz", "2027-01-04 23:00", "2027-01-06 06:00", 0, None),
        ("Sam Lee", "2027-01-06 06:00", "2027-01-06 12:00", 0, cover.pk),
        ("Dana Ortiz", "2027-01-06 12:00", "2027-01-11 23:00", 0, None),
        ("Sam Lee", "2027-01-11 23:00", "2027-01-18 06:00", 1, None),
    ]


@pytest.mark.parametrize(
    "query",
    [
        {"start": "2027-01-10", "end": "2027-01-01"},
        {"start": "2027-01-01", "end": "2027-06-01"},
        {"start": "1800-01-01"},
        {"end": "someday"},
    ],
)
def test_a_bad_schedule_span_is_refused_by_field(api, viewer, rota, query):
    response = api(viewer).get(f"/api/v1/rotas/{rota.pk}/schedule/", query)

    assert response.status_code == 400
    assert set(response.json()) <= {"start", "end"}


@time_machine.travel(datetime.datetime(2027, 1, 10, 12, tzinfo=UTC), tick=False)
def test_the_schedule_defaults_to_eight_weeks_from_today(api, viewer, rota):
    body = api(viewer).get(f"/api/v1/rotas/{rota.pk}/schedule/").json()

    assert (body["start"], body["end"]) == ("2027-01-10", "2027-03-06")


def test_rotas_are_read_only(api, consultant, rota):
    assert api(consultant).post("/api/v1/rotas/", {}, format="json").status_code == 405
    assert api(None).get(f"/api/v1/rotas/{rota.pk}/schedule/").status_code == 401
