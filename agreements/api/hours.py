"""The team's time in the API: time off (read and written as the technician page writes it),
a technician's working week (read, and replaced whole), and the on-call rotas with their
members, hours and coming overrides, and whose turn it is over a span of days
(skills.rotas.schedule)."""

import datetime
import zoneinfo

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from agreements.api.nested_rows import TIMESTAMPS, RowsViewSet, name_of
from core.filters import IdFilter
from core.permissions import visible_to
from core.services import history_user
from core.validators import date_in_range
from skills.models import (
    WEEKDAYS,
    OnCallMember,
    OnCallOverride,
    OnCallRota,
    Technician,
    TimeOff,
    on_the_half_hour,
)
from skills.rotas import rota_periods, schedule, working_periods
from skills.team_time.selectors import time_off_writable
from skills.team_time.services import time_off_save, working_hours_replace
from skills.weekly_patterns import WeeklyPeriod, pattern_text

MIDNIGHT_HELP = "00:00 means midnight at the end of the day."
# The longest span one schedule request covers: a quarter, whatever the rotation.
MAX_SCHEDULE_DAYS = 92
DEFAULT_SCHEDULE_DAYS = 56  # eight weeks, as the rota page shows

# ------------------------------------------------------------------------------ time off


class TimeOffFilter(django_filters.FilterSet):
    technician = IdFilter(field_name="technician_id", help_text="Only this technician's.")
    kind = django_filters.ChoiceFilter(choices=TimeOff.Kind.choices)
    from_day = django_filters.DateFilter(
        field_name="last_day",
        lookup_expr="gte",
        help_text="Only spans that last until this day or later.",
    )
    to_day = django_filters.DateFilter(
        field_name="first_day",
        lookup_expr="lte",
        help_text="Only spans that begin on this day or earlier.",
    )

    class Meta:
        model = TimeOff
        fields = ["technician", "kind", "from_day", "to_day"]


class TimeOffSerializer(serializers.ModelSerializer):
    technician_name = name_of(TimeOff, "technician")

    class Meta:
        model = TimeOff
        fields = (
            "id",
            "technician",
            "technician_name",
            "first_day",
            "last_day",
            "kind",
            "note",
            *TIMESTAMPS,
        )
        read_only_fields = TIMESTAMPS

    def create(self, validated_data):
        technician = validated_data.pop("technician")
        return time_off_save(time_off=None, technician=technician, fields=validated_data)

    def update(self, instance, validated_data):
        technician = validated_data.pop("technician", instance.technician)
        return time_off_save(time_off=instance, technician=technician, fields=validated_data)


class TimeOffViewSet(RowsViewSet):
    """Spans of whole days (the technician's local dates) a technician is away, on call
    included; a technician's spans may not overlap. A technician's token writes only their own
    (403 for anyone else's)."""

    model = TimeOff
    serializer_class = TimeOffSerializer
    filterset_class = TimeOffFilter
    select = ("technician",)

    def _refuse_others(self, *technicians):
        for technician in technicians:
            if technician is not None and not time_off_writable(
                user=self.request.user, technician=technician
            ):
                raise PermissionDenied("You can change only your own time off.")

    def perform_create(self, serializer):
        self._refuse_others(serializer.validated_data.get("technician"))
        super().perform_create(serializer)

    def perform_update(self, serializer):
        self._refuse_others(
            serializer.instance.technician, serializer.validated_data.get("technician")
        )
        super().perform_update(serializer)

    def perform_destroy(self, instance):
        self._refuse_others(instance.technician)
        super().perform_destroy(instance)


# ------------------------------------------------------------------------------ working hours


class PeriodSerializer(serializers.Serializer):
    """A period of a weekly pattern, in local time, on the half hour."""

    weekday = serializers.ChoiceField(choices=WEEKDAYS, help_text="0 is Monday … 6 Sunday.")
    start = serializers.TimeField(format="%H:%M")
    end = serializers.TimeField(format="%H:%M", help_text=MIDNIGHT_HELP)

    def validate(self, attrs):
        # A period is kept in whole minutes: seconds are refused here, not dropped.
        for name in ("start", "end"):
            if attrs[name].second or attrs[name].microsecond:
                on_the_half_hour(attrs[name])
        return attrs


class WeekSerializer(serializers.Serializer):
    technician = serializers.IntegerField(read_only=True)
    time_zone = serializers.CharField(read_only=True, help_text="The zone of the periods.")
    default_hours = serializers.BooleanField(
        read_only=True,
        help_text="Whether the technician has no periods of their own and works the firm's "
        "default hours.",
    )
    hours = serializers.CharField(
        read_only=True, help_text='The hours worked, e.g. "Mon–Fri 09:00–17:00".'
    )
    periods = PeriodSerializer(
        many=True,
        max_length=7 * 48,
        help_text="The technician's own periods; none for the firm's default hours.",
    )


def week_data(technician: Technician) -> dict:
    rows = list(technician.working_hours.order_by("weekday", "start"))
    return {
        "technician": technician.pk,
        "time_zone": technician.time_zone,
        "default_hours": not rows,
        "hours": pattern_text(working_periods(rows)),
        "periods": [{"weekday": r.weekday, "start": r.start, "end": r.end} for r in rows],
    }


class WorkingWeekActions:
    """`technicians/{id}/working-hours/`: a technician's working week, in their time zone, read
    (view) and replaced whole (change), for a viewset of technicians."""

    @extend_schema(
        methods=["GET"], summary="A technician's working week", responses={200: WeekSerializer}
    )
    @extend_schema(
        methods=["PUT"],
        summary="Replace a technician's working week",
        description="The periods given replace all of the technician's; none means the firm's "
        "default hours. Periods of one day may not overlap.",
        request=WeekSerializer,
        responses={200: WeekSerializer},
    )
    @action(detail=True, methods=["get", "put"], url_path="working-hours")
    def working_hours(self, request, pk=None):
        technician = self.get_object()
        if request.method == "PUT":
            week = WeekSerializer(data=request.data)
            week.is_valid(raise_exception=True)
            periods = [
                WeeklyPeriod.of(period["weekday"], period["start"], period["end"])
                for period in week.validated_data["periods"]
            ]
            with history_user(request.user):
                working_hours_replace(technician=technician, periods=periods)
        return Response(WeekSerializer(week_data(technician)).data)


# ------------------------------------------------------------------------------ rotas


class RotaMemberSerializer(serializers.ModelSerializer):
    technician_name = name_of(OnCallMember, "technician")

    class Meta:
        model = OnCallMember
        fields = ("position", "technician", "technician_name")


class RotaOverrideSerializer(serializers.ModelSerializer):
    technician_name = name_of(OnCallOverride, "technician")

    class Meta:
        model = OnCallOverride
        fields = (
            "id",
            "technician",
            "technician_name",
            "starts_at",
            "ends_at",
            "note",
            "created_at",
        )


class RotaSerializer(serializers.ModelSerializer):
    default_hours = serializers.SerializerMethodField(
        help_text="Whether the rota has no hours of its own and is on call outside the firm's "
        "default working hours."
    )
    hours_text = serializers.SerializerMethodField(
        help_text="When a turn means being on call, in the rota's zone, e.g. \"Mon–Fri "
        '17:00–24:00".'
    )
    hours = PeriodSerializer(many=True, read_only=True, help_text="The rota's own hours.")
    members = RotaMemberSerializer(many=True, read_only=True, help_text="In turn order.")
    overrides = RotaOverrideSerializer(
        many=True,
        read_only=True,
        source="upcoming_overrides",
        help_text="Overrides that have not ended yet (swaps and cover); the newest wins where "
        "they overlap.",
    )

    class Meta:
        model = OnCallRota
        fields = (
            "id",
            "name",
            "time_zone",
            "starts_at",
            "rotation_days",
            "notes",
            "default_hours",
            "hours_text",
            "hours",
            "members",
            "overrides",
            *TIMESTAMPS,
        )

    def get_default_hours(self, rota) -> bool:
        return not rota.hours.all()

    def get_hours_text(self, rota) -> str:
        return pattern_text(rota_periods(rota.hours.all()))


class ScheduleQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False,
        validators=[date_in_range],
        help_text="The first day, in the rota's zone; today by default.",
    )
    end = serializers.DateField(
        required=False,
        validators=[date_in_range],
        help_text=f"The last day, in the rota's zone; {DEFAULT_SCHEDULE_DAYS} days from the "
        f"first by default; at most {MAX_SCHEDULE_DAYS} days from it.",
    )

    def span(self, zone: zoneinfo.ZoneInfo) -> tuple[datetime.date, datetime.date]:
        """The first and last day asked, with the defaults; refused when the last comes before
        the first or the span is too long."""
        start = self.validated_data.get("start") or timezone.now().astimezone(zone).date()
        end = self.validated_data.get("end") or start + datetime.timedelta(
            days=DEFAULT_SCHEDULE_DAYS - 1
        )
        if end < start:
            raise serializers.ValidationError(
                {"end": ["The last day cannot come before the first."]}
            )
        if (end - start).days >= MAX_SCHEDULE_DAYS:
            raise serializers.ValidationError(
                {"end": [f"Ask for at most {MAX_SCHEDULE_DAYS} days at a time."]}
            )
        return start, end


class SegmentSerializer(serializers.Serializer):
    technician = serializers.IntegerField()
    technician_name = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    turn = serializers.IntegerField(
        allow_null=True, help_text="The turn under way (0 from the first hand-off)."
    )
    override = serializers.IntegerField(
        allow_null=True, help_text="The override that put them there; null when scheduled."
    )


class ScheduleSerializer(serializers.Serializer):
    rota = serializers.IntegerField()
    time_zone = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    hours_text = serializers.CharField(
        help_text="When a turn means being on call, in the rota's zone."
    )
    segments = SegmentSerializer(
        many=True,
        help_text="Whose turn it is, in order; inside the rota's hours that person is on call.",
    )


def rota_schedule_data(rota: OnCallRota, *, start: datetime.date, end: datetime.date) -> dict:
    """Whose turn it is on `rota` from `start` to `end` (its local days), overrides applied."""
    zone = zoneinfo.ZoneInfo(rota.time_zone)
    begins = datetime.datetime.combine(start, datetime.time(), tzinfo=zone)
    ends = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    members = list(rota.members.all())
    overrides = list(
        rota.overrides.filter(starts_at__lt=ends, ends_at__gt=begins).select_related("technician")
    )
    names = {member.technician_id: member.technician.name for member in members}
    names.update({override.technician_id: override.technician.name for override in overrides})
    segments = schedule(
        rota=rota,
        members=[member.technician_id for member in members],
        overrides=overrides,
        start=begins.astimezone(datetime.UTC),
        end=ends.astimezone(datetime.UTC),
    )
    return {
        "rota": rota.pk,
        "time_zone": rota.time_zone,
        "start": start,
        "end": end,
        "hours_text": pattern_text(rota_periods(rota.hours.all())),
        "segments": [
            {
                "technician": segment.technician_id,
                "technician_name": names[segment.technician_id],
                "starts_at": segment.starts_at,
                "ends_at": segment.ends_at,
                "turn": segment.turn,
                "override": segment.override_id,
            }
            for segment in segments
        ],
    }


class RotaViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The on-call rotas, read only (the rota pages edit them)."""

    serializer_class = RotaSerializer
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        now = timezone.now()
        return visible_to(self.request.user, OnCallRota).prefetch_related(
            "hours",
            Prefetch("members", OnCallMember.objects.select_related("technician")),
            Prefetch(
                "overrides",
                OnCallOverride.objects.filter(ends_at__gt=now)
                .select_related("technician")
                .order_by("starts_at", "created_at"),
                to_attr="upcoming_overrides",
            ),
        )

    @extend_schema(
        summary="Whose turn it is on a rota, day by day",
        description="The rota's schedule from the first to the last day asked (in its zone), "
        "hand-offs and overrides applied; inside the rota's hours the person whose turn it "
        f"is is on call. At most {MAX_SCHEDULE_DAYS} days at a time.",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="The first day."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="The last day."),
        ],
        responses={200: ScheduleSerializer},
    )
    @action(detail=True, methods=["get"])
    def schedule(self, request, pk=None):
        query = ScheduleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rota = get_object_or_404(
            visible_to(request.user, OnCallRota).prefetch_related(
                "hours", Prefetch("members", OnCallMember.objects.select_related("technician"))
            ),
            pk=self.kwargs["pk"],
        )
        start, end = query.span(zoneinfo.ZoneInfo(rota.time_zone))
        data = rota_schedule_data(rota, start=start, end=end)
        return Response(ScheduleSerializer(data).data)
