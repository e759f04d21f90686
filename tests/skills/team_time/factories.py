import datetime

import factory

from skills.models import (
    OnCallMember,
    OnCallOverride,
    OnCallRota,
    Technician,
    TimeOff,
    WorkingHours,
)
from tests.skills.factories import TechnicianFactory


class WorkingHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingHours

    technician = factory.SubFactory(TechnicianFactory)
    weekday = 0
    start = datetime.time(9)
    end = datetime.time(17)


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    technician = factory.SubFactory(TechnicianFactory)
    first_day = datetime.date(2026, 6, 8)
    last_day = datetime.date(2026, 6, 12)
    kind = TimeOff.Kind.VACATION


class OnCallRotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OnCallRota

    name = factory.Sequence(lambda n: f"Out of hours {n}")
    time_zone = "America/New_York"
    starts_at = datetime.datetime(2026, 6, 1, 13, tzinfo=datetime.UTC)  # 09:00 in New York
    rotation_days = 7


class OnCallMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OnCallMember

    rota = factory.SubFactory(OnCallRotaFactory)
    technician = factory.SubFactory(TechnicianFactory)
    position = factory.Sequence(lambda n: n)


class OnCallOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OnCallOverride

    rota = factory.SubFactory(OnCallRotaFactory)
    technician = factory.SubFactory(TechnicianFactory)
    starts_at = datetime.datetime(2026, 6, 2, 22, tzinfo=datetime.UTC)
    ends_at = datetime.datetime(2026, 6, 3, 13, tzinfo=datetime.UTC)


def team_time_rows() -> None:
    """A rota with two members and an override, and a time off, unless the data has some: the
    pages of one rota or one time off are then reachable by the tests that walk every page."""
    technicians = list(Technician.objects.on_team().order_by("pk")[:2])
    while len(technicians) < 2:
        technicians.append(TechnicianFactory())
    if not OnCallRota.objects.exists():
        rota = OnCallRotaFactory(name="Out of hours")
        for position, technician in enumerate(technicians):
            OnCallMemberFactory(rota=rota, technician=technician, position=position)
        OnCallOverrideFactory(rota=rota, technician=technicians[0])
    if not TimeOff.objects.exists():
        TimeOffFactory(technician=technicians[0])
