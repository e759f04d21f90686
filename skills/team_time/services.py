"""Writes of the team's time: working weeks and rota hours replaced whole, time off, rotas,
their members in order, and overrides (a swap is two, a cover one). Each writes through
full_clean() and save(), so that history records every row."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.services import model_create, model_update
from skills.models import (
    OnCallMember,
    OnCallOverride,
    OnCallRota,
    OnCallRotaHours,
    Technician,
    TimeOff,
    WorkingHours,
)
from skills.weekly_patterns import WeeklyPeriod, overlap_message


def _rows_replace(rows, model, parent: dict[str, Any], periods: Iterable[WeeklyPeriod]) -> None:
    """Make `periods` the parent's rows (`rows`, its related manager). Refused whole, with a
    ValidationError on "periods", when a period is not valid or two of a day overlap. Else a
    row whose period is already saved is kept, one whose end alone changes is changed, and the
    others are removed and added: one by one, not in bulk, so that history records each."""
    periods = list(periods)
    wanted = [model(**parent, **period.row_fields()) for period in periods]
    messages = []
    for number, row in enumerate(wanted, start=1):
        try:
            # The fields and clean(), which stand for the check constraints; the overlap check
            # below stands for the unique start of a day (a saved row of it is kept).
            row.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            messages += [f"Period {number}: {text}" for text in error.messages]
    if not messages and (overlap := overlap_message(periods)):
        messages.append(overlap)
    if messages:
        raise ValidationError({"periods": messages})
    saved = {(row.weekday, row.start): row for row in rows.all()}
    keys = {(row.weekday, row.start) for row in wanted}
    for key, row in saved.items():
        if key not in keys:
            row.delete()
    for row in sorted(wanted, key=lambda row: row.period):
        old = saved.get((row.weekday, row.start))
        if old is None:
            row.save()
        elif old.end != row.end:
            old.end = row.end
            old.save(update_fields=["end"])


# ------------------------------------------------------------------------------ working hours


@transaction.atomic
def working_hours_replace(*, technician: Technician, periods: Iterable[WeeklyPeriod]) -> None:
    """Make `periods` the technician's working week (in their time zone); none means the firm's
    default hours. Refused whole when a period is not on the half hour, ends before it starts,
    or overlaps another of its day (see _rows_replace)."""
    # Two replacements of one week at once would each keep the other's rows: one waits.
    Technician.objects.select_for_update().filter(pk=technician.pk).first()
    _rows_replace(technician.working_hours, WorkingHours, {"technician": technician}, periods)


# ------------------------------------------------------------------------------ time off


def _refuse_overlap(time_off: TimeOff) -> None:
    clash = (
        TimeOff.objects.filter(
            technician=time_off.technician,
            first_day__lte=time_off.last_day,
            last_day__gte=time_off.first_day,
        )
        .exclude(pk=time_off.pk)
        .order_by("first_day")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            f"{time_off.technician.name} is already away {clash.days_text} "
            f"({clash.get_kind_display().lower()}): change that entry, or choose other days."
        )


@transaction.atomic
def time_off_save(
    *, time_off: TimeOff | None, technician: Technician, fields: dict[str, Any]
) -> TimeOff:
    """Record or change `technician`'s time off (`time_off` None for a new span; `fields` its
    other fields); a span overlapping another of theirs is refused with a ValidationError
    naming it. The pages, the API and the imports all write time off here."""
    # Two saves for one technician at once would each miss the other's span: one waits.
    Technician.objects.select_for_update().filter(pk=technician.pk).first()
    time_off = time_off or TimeOff()
    time_off.technician = technician
    for name, value in fields.items():
        setattr(time_off, name, value)
    time_off.full_clean()
    _refuse_overlap(time_off)
    time_off.save()
    return time_off


def time_off_delete(*, time_off: TimeOff) -> None:
    time_off.delete()


# ------------------------------------------------------------------------------ rotas


@transaction.atomic
def rota_save(
    *, rota: OnCallRota | None, fields: dict[str, Any], periods: Iterable[WeeklyPeriod]
) -> OnCallRota:
    """Create or change a rota with its hours; no periods means the default on-call hours (all
    the time outside the default working hours)."""
    if rota is None:
        rota = model_create(model=OnCallRota, fields=fields)
    else:
        OnCallRota.objects.select_for_update().filter(pk=rota.pk).first()
        rota = model_update(instance=rota, fields=fields)
    _rows_replace(rota.hours, OnCallRotaHours, {"rota": rota}, periods)
    return rota


def _members_locked(rota: OnCallRota) -> list[OnCallMember]:
    OnCallRota.objects.select_for_update().filter(pk=rota.pk).first()
    return list(rota.members.select_related("technician").order_by("position"))


def _members_renumber(members: list[OnCallMember]) -> None:
    """Give `members` the positions 0, 1, 2 … in their list order, each change recorded."""
    # Positions are unique per rota: move the changed ones out of the way first.
    changed = [member for index, member in enumerate(members) if member.position != index]
    top = max((member.position for member in members), default=0) + 1
    for offset, member in enumerate(changed):
        member.position = top + offset
        member.save(update_fields=["position"])
    for member in changed:
        member.position = members.index(member)
        member.full_clean()
        member.save(update_fields=["position"])


@transaction.atomic
def rota_member_add(*, rota: OnCallRota, technician: Technician) -> OnCallMember:
    """Add `technician` after the last member."""
    members = _members_locked(rota)
    if any(member.technician_id == technician.pk for member in members):
        raise ValidationError(f"{technician.name} is already on this rota.")
    return model_create(
        model=OnCallMember,
        fields={"rota": rota, "technician": technician, "position": len(members)},
    )


@transaction.atomic
def rota_member_remove(*, rota: OnCallRota, member_id: int) -> None:
    """Take a member off the rota; those after them move up a place."""
    members = _members_locked(rota)
    member = next((member for member in members if member.pk == member_id), None)
    if member is None:
        raise ValidationError("That person is no longer on this rota.")
    member.delete()
    members.remove(member)
    _members_renumber(members)


@transaction.atomic
def rota_member_move(*, rota: OnCallRota, member_id: int, step: int) -> None:
    """Move a member `step` places (-1 up, 1 down); past either end nothing moves."""
    members = _members_locked(rota)
    index = next((i for i, member in enumerate(members) if member.pk == member_id), None)
    if index is None:
        raise ValidationError("That person is no longer on this rota.")
    target = index + step
    if 0 <= target < len(members):
        members[index], members[target] = members[target], members[index]
        _members_renumber(members)


# ------------------------------------------------------------------------------ overrides


def override_create(
    *,
    rota: OnCallRota,
    technician: Technician,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    note: str = "",
) -> OnCallOverride:
    return model_create(
        model=OnCallOverride,
        fields={
            "rota": rota,
            "technician": technician,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "note": note,
        },
    )


@transaction.atomic
def rota_swap(*, rota: OnCallRota, first, second, note: str = "") -> list[OnCallOverride]:
    """Two turns exchange technicians: each turn gets an override for the other's technician.
    `first` and `second` are the turns (skills.team_time.selectors.RotaTurn)."""
    if first.technician_id == second.technician_id:
        raise ValidationError("Both turns are the same person's: choose turns of two people.")
    return [
        override_create(
            rota=rota,
            technician=Technician.objects.get(pk=other.technician_id),
            starts_at=turn.starts_at,
            ends_at=turn.ends_at,
            note=note,
        )
        for turn, other in ((first, second), (second, first))
    ]
