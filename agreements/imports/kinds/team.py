"""The team: technicians, the skills and certifications they hold, and their time: time off and
working hours (a technician's rows in a file replace their week)."""

from collections import defaultdict

from django.db.models.functions import Lower
from django.utils import timezone

from agreements.imports import cell_values
from agreements.imports.kinds.base import (
    CHANGED,
    ERROR,
    NEW,
    REMOVED,
    UNCHANGED,
    Column,
    Context,
    Kind,
    ModelKind,
    Plan,
    RowReader,
    checked,
    duplicate_error,
    saver,
    shown,
)
from agreements.imports.models import ImportKind
from core.formatting import day_text
from core.models import add_months
from core.services import history_user
from skills.models import (
    Technician,
    TechnicianCertification,
    TechnicianSkill,
    TimeOff,
    WorkingHours,
)
from skills.resources import (
    TechnicianCertificationResource,
    TechnicianResource,
    TechnicianSkillResource,
    TimeOffResource,
    WorkingHoursResource,
    clock_text,
)
from skills.team_time.services import time_off_save, working_hours_replace


class TechniciansKind(ModelKind):
    key = ImportKind.TECHNICIANS
    model = Technician
    resource_class = TechnicianResource
    what = "email address"
    key_field = "email"
    keep_spelling = ("email",)
    columns = (
        Column(
            "name",
            True,
            (
                "technician",
                "technician name",
                "full name",
                "resource",
                "resource name",
                "member",
                "agent",
                "employee",
            ),
        ),
        Column("email", True, ("email address", "e-mail", "work email", "technician email")),
        Column("status", synonyms=("technician status", "employment status", "active")),
        Column(
            "available_until",
            synonyms=(
                "last day",
                "last working day",
                "end date",
                "leaving date",
                "available until",
            ),
        ),
        Column("time_zone", synonyms=("timezone", "tz", "zone", "technician time zone")),
        Column("notes", synonyms=("note", "comments")),
    )

    def export_rows(self):
        return Technician.objects.order_by(Lower("email"), "pk")

    def read_row(self, reader):
        new_values = {
            "name": reader.text("name", required=True, max_length=120),
            "email": reader.text("email", required=True),
        }
        if reader.has("status"):
            new_values["status"] = reader.choice(
                "status", Technician.Status, Technician.Status.ACTIVE
            )
        if reader.has("available_until"):
            new_values["available_until"] = reader.date("available_until")
        if reader.has("time_zone"):
            time_zone = reader.time_zone()
            if time_zone:
                new_values["time_zone"] = time_zone
        if reader.has("notes"):
            new_values["notes"] = reader.text("notes")
        return new_values

    def display(self, new_values):
        return f"{new_values.get('name') or '?'} <{new_values.get('email') or '?'}>"


class HeldKind(ModelKind):
    """Something of the catalog that technicians hold (a skill, a certification): a file's row
    is matched on the technician and what is held."""

    held: str  # the field that names what is held
    # Relations of a saved row that the preview's old → new reads, besides the technician and
    # what is held.
    held_with: tuple[str, ...] = ()

    def natural_key(self, new_values):
        technician, held = new_values.get("technician"), new_values.get(self.held)
        if technician and held:
            return (technician.pk, held.pk)
        return None

    def existing(self, keys):
        rows = self.model.objects.filter(technician_id__in={key[0] for key in keys})
        return {
            (row.technician_id, getattr(row, f"{self.held}_id")): row
            for row in rows.select_related("technician", self.held, *self.held_with)
        }

    def display(self, new_values):
        technician, held = new_values.get("technician"), new_values.get(self.held)
        return f"{technician.email if technician else '?'}: {held.name if held else '?'}"


class TechnicianSkillsKind(HeldKind):
    key = ImportKind.TECHNICIAN_SKILLS
    model = TechnicianSkill
    resource_class = TechnicianSkillResource
    what = "technician and skill"
    held = "skill"
    held_with = ("oldest_version", "newest_version")
    columns = (
        Column(
            "technician_email", True, ("email", "technician", "email address", "resource email")
        ),
        Column("skill", True, ("skill name", "competency", "technology", "product")),
        Column("level", True, ("skill level", "proficiency", "rating")),
        Column("oldest_version", synonyms=("from version", "min version", "oldest")),
        Column("newest_version", synonyms=("to version", "max version", "newest")),
        Column("last_used", synonyms=("last used on", "last worked")),
    )

    def writer(self, instance, context):
        """A row the file adds or changes counts as assessed on the day of the import, as a
        consultant's edit does (skills.services.technician_save); unchanged rows keep theirs.
        A connection's sync copies what another system holds and leaves `assessed_on` alone
        (a new row starts from the model's default, the day of the sync)."""
        save = saver(instance, context.user)
        if context.synced:
            return save

        def assessed_and_saved():
            instance.assessed_on = timezone.localdate()
            save()

        return assessed_and_saved

    def export_rows(self):
        return TechnicianSkill.objects.select_related(
            "technician", "skill", "oldest_version", "newest_version"
        ).order_by(Lower("technician__email"), Lower("skill__name"), "pk")

    def read_row(self, reader):
        skill = reader.skill()
        new_values = {
            "technician": reader.technician(),
            "skill": skill,
            "level": reader.read(
                "level",
                lambda raw: cell_values.whole_number(
                    raw.split("–")[0].split("-")[0], minimum=1, maximum=5
                ),
                required=True,
            ),
        }
        for key in ("oldest_version", "newest_version"):
            if reader.has(key):
                new_values[key] = reader.version(key, skill)
        if reader.has("last_used"):
            new_values["last_used"] = reader.date("last_used")
        return new_values


class CertificationsKind(HeldKind):
    key = ImportKind.CERTIFICATIONS
    model = TechnicianCertification
    resource_class = TechnicianCertificationResource
    what = "technician and certification"
    # One holding per technician and certification (the database's rule): a later earned on is
    # a renewal of the same row, shown as a change of its dates.
    held = "certification"
    columns = (
        Column("technician_email", True, ("email", "technician", "email address")),
        Column("certification", True, ("certificate", "certification name", "credential", "exam")),
        Column(
            "earned_on",
            True,
            ("earned", "date earned", "issued", "issue date", "date obtained", "achieved"),
        ),
        Column(
            "expires_on",
            synonyms=("expires", "expiry", "expiry date", "expiration date", "valid until"),
        ),
        Column(
            "credential_id",
            synonyms=(
                "credential",
                "certificate id",
                "license number",
                "certification number",
                "id",
            ),
        ),
    )

    def export_rows(self):
        return TechnicianCertification.objects.select_related(
            "technician", "certification"
        ).order_by(Lower("technician__email"), Lower("certification__name"), "earned_on", "pk")

    def read_row(self, reader):
        certification = reader.certification()
        new_values = {
            "technician": reader.technician(),
            "certification": certification,
            "earned_on": reader.date("earned_on", required=True),
        }
        if reader.has("expires_on"):
            expires_on = reader.date("expires_on")
            earned_on = new_values["earned_on"]
            if expires_on is None and earned_on and certification and certification.validity_months:
                # What the model fills in for a blank expiry, so that it is not shown as a change.
                expires_on = add_months(earned_on, certification.validity_months)
            new_values["expires_on"] = expires_on
        if reader.has("credential_id"):
            new_values["credential_id"] = reader.text("credential_id", max_length=100)
        return new_values

    def display(self, new_values):
        earned = new_values.get("earned_on")
        return f"{super().display(new_values)}{', earned ' + earned.isoformat() if earned else ''}"


# ------------------------------------------------------------------------------ the team's time

TECHNICIAN_EMAIL = Column(
    "technician_email", True, ("email", "technician", "email address", "resource email")
)


class TimeOffKind(ModelKind):
    """Spans of time off, matched on the technician and the first day (a changed last day is a
    change of the span). A file adds and changes spans, never removes one; spans of one
    technician may not overlap, in the file or with the saved ones it leaves as they are."""

    key = ImportKind.TIME_OFF
    model = TimeOff
    resource_class = TimeOffResource
    what = "technician and first day"
    columns = (
        TECHNICIAN_EMAIL,
        Column(
            "first_day",
            True,
            ("from", "start", "start date", "first day off", "date from", "begins", "off from"),
        ),
        Column(
            "last_day",
            synonyms=("to", "until", "end", "end date", "last day off", "date to", "ends"),
        ),
        Column("kind", synonyms=("type", "reason", "leave type", "absence type", "time off type")),
        Column("note", synonyms=("notes", "comment", "comments", "description")),
    )

    def export_rows(self):
        return TimeOff.objects.select_related("technician").order_by(
            Lower("technician__email"), "first_day", "pk"
        )

    def read_row(self, reader):
        first_day = reader.date("first_day", required=True)
        new_values = {"technician": reader.technician(), "first_day": first_day}
        # An empty last day is a single day off.
        new_values["last_day"] = (reader.date("last_day") if reader.has("last_day") else None) or (
            first_day
        )
        if reader.has("kind"):
            new_values["kind"] = reader.choice("kind", TimeOff.Kind, TimeOff.Kind.VACATION)
        if reader.has("note"):
            new_values["note"] = reader.text("note", max_length=200)
        return new_values

    def natural_key(self, new_values):
        technician, first_day = new_values.get("technician"), new_values.get("first_day")
        return (technician.pk, first_day) if technician and first_day else None

    def existing(self, keys):
        # Every span of the technicians the file names: the ones it does not match are checked
        # for overlaps too.
        found = {}
        rows = TimeOff.objects.filter(technician_id__in={key[0] for key in keys})
        for row in rows.select_related("technician").order_by("pk"):
            found.setdefault((row.technician_id, row.first_day), row)
        return found

    def check_rows(self, read, existing):
        keyed = [
            (reader, new_values, key)
            for reader, new_values in read
            if not reader.errors
            for key in [self.natural_key(new_values)]
            if key and new_values["last_day"] >= new_values["first_day"]
        ]
        in_file = {key for _, _, key in keyed}
        spans = defaultdict(list)  # technician id: [(first day, last day, what it is)]
        for key, row in existing.items():
            if key not in in_file:
                spans[key[0]].append(
                    (row.first_day, row.last_day, f"the time off saved for {row.days_text}")
                )
        seen = set()
        for reader, new_values, key in keyed:
            if key in seen:
                continue  # the same span twice: refused as a duplicate
            seen.add(key)
            first, last = new_values["first_day"], new_values["last_day"]
            clash = next(
                (what for begins, ends, what in spans[key[0]] if begins <= last and first <= ends),
                None,
            )
            if clash is not None:
                reader.errors.append(
                    f"Row {reader.row}: overlaps {clash}; a technician's spans of time off "
                    "may not overlap (change that span instead)"
                )
            else:
                spans[key[0]].append((first, last, f"row {reader.row}"))

    def writer(self, instance, context):
        """Through the service of the pages and the API, which refuses an overlap again at the
        write, under the technician's lock."""

        def write():
            with history_user(context.user):
                time_off_save(time_off=instance, technician=instance.technician, fields={})

        return write

    def display(self, new_values):
        technician, first_day = new_values.get("technician"), new_values.get("first_day")
        last_day = new_values.get("last_day")
        days = "?"
        if first_day:
            days = day_text(first_day)
            if last_day and last_day != first_day:
                days += f" – {day_text(last_day)}"
        return f"{technician.email if technician else '?'}: {days}"


class WorkingHoursKind(Kind):
    """Periods of technicians' working weeks, in each technician's time zone: a technician's
    rows in a file replace their week (their saved periods the file leaves out are removed,
    listed in the preview); technicians the file does not name keep theirs. A technician
    whose rows cannot all be read keeps their week as it is: half a week is not imported."""

    key = ImportKind.WORKING_HOURS
    resource_class = WorkingHoursResource
    columns = (
        TECHNICIAN_EMAIL,
        Column("weekday", True, ("day", "day of week", "weekday name")),
        Column("start", True, ("from", "start time", "begins", "starts")),
        Column("end", True, ("to", "until", "end time", "ends", "finish")),
    )

    def export_rows(self):
        return WorkingHours.objects.select_related("technician").order_by(
            Lower("technician__email"), "weekday", "start", "pk"
        )

    @staticmethod
    def _display(technician, period) -> str:
        return f"{technician.email if technician else '?'}: {period}"

    def plan(self, records, context: Context) -> Plan:
        plan = Plan()
        labels = self.headers()
        by_technician: dict[int, list] = defaultdict(list)
        unknown_technician = []
        for row, cells in records:
            reader = RowReader(self, row, cells, context)
            technician = reader.technician()
            hours = WorkingHours(
                technician=technician,
                weekday=reader.read("weekday", cell_values.weekday, required=True),
                start=reader.read("start", cell_values.clock, required=True),
                end=reader.read("end", lambda raw: cell_values.clock(raw, end=True), required=True),
            )
            if not reader.errors:
                reader.errors += checked(hours, reader.row, labels)
            if technician is None:
                unknown_technician.append((reader, hours))
            else:
                by_technician[technician.pk].append((reader, hours))
        for reader, hours in unknown_technician:
            plan.add(
                reader.row, ERROR, self._display(None, hours_text(hours)), errors=reader.errors
            )
        saved = defaultdict(dict)
        for row in WorkingHours.objects.filter(technician_id__in=by_technician).order_by("pk"):
            saved[row.technician_id].setdefault((row.weekday, row.start), row)
        for technician_id, rows in by_technician.items():
            self._plan_week(plan, rows, saved[technician_id], context)
        # In the file's order; the periods removed last, as the environment lists its removals.
        plan.rows.sort(key=lambda entry: entry["row"] or float("inf"))
        return plan

    def _plan_week(self, plan: Plan, rows: list, saved: dict, context: Context) -> None:
        """One technician's rows: their new week, or errors for all of them."""
        technician = rows[0][1].technician
        first_row: dict[tuple, int] = {}
        for reader, hours in rows:
            if reader.errors:
                continue
            key = (hours.weekday, hours.start)
            if key in first_row:
                reader.errors.append(
                    duplicate_error(reader.row, first_row[key], "weekday and start")
                )
            else:
                first_row[key] = reader.row
        readable = [(reader, hours) for reader, hours in rows if not reader.errors]
        for reader, hours in readable:
            period = hours.period
            clash = next(
                (
                    (other_reader, other)
                    for other_reader, other in readable
                    if other_reader.row < reader.row
                    and other.weekday == hours.weekday
                    and other.period.start < period.end
                    and period.start < other.period.end
                ),
                None,
            )
            if clash is not None:
                reader.errors.append(
                    f"Row {reader.row}: overlaps row {clash[0].row} ({hours_text(clash[1])}); "
                    "the periods of a day may not overlap"
                )
        failed = [reader.row for reader, _ in rows if reader.errors]
        if failed:
            for reader, hours in rows:
                errors = reader.errors or [
                    f"Row {reader.row}: not imported, since row {failed[0]} of "
                    f"{technician.email} cannot be; a technician's rows replace their week "
                    "together"
                ]
                plan.add(
                    reader.row, ERROR, self._display(technician, hours_text(hours)), errors=errors
                )
            return
        # What the preview lists is what working_hours_replace does: a period already saved is
        # kept, one whose end alone changes is changed, the others are added and removed.
        changed = False
        kept = set()
        for reader, hours in rows:
            key = (hours.weekday, hours.start)
            display = self._display(technician, hours_text(hours))
            existing = saved.get(key)
            if existing is None:
                plan.add(reader.row, NEW, display)
                changed = True
                continue
            kept.add(key)
            if existing.end == hours.end:
                plan.add(reader.row, UNCHANGED, display)
                continue
            change = (
                self.headers()["end"],
                shown(clock_text(existing.end, end=True)),
                shown(clock_text(hours.end, end=True)),
            )
            plan.add(reader.row, CHANGED, display, changes=[change])
            changed = True
        for key, row in sorted(saved.items()):
            if key not in kept:
                plan.add(0, REMOVED, self._display(technician, hours_text(row)))
                changed = True
        if changed:
            periods = [hours.period for _, hours in rows]
            plan.writes.append(week_writer(technician, periods, context.user))


def hours_text(hours: WorkingHours) -> str:
    """ "Monday 09:00–17:00" as far as the row was read."""
    day = hours.get_weekday_display() if hours.weekday is not None else "?"
    start = clock_text(hours.start) if hours.start else "?"
    end = clock_text(hours.end, end=True) if hours.end else "?"
    return f"{day} {start}–{end}"


def week_writer(technician, periods, user):
    """Replace the technician's week by the file's periods, each row removed, changed and added
    recorded in its history."""

    def write():
        with history_user(user):
            working_hours_replace(technician=technician, periods=periods)

    return write
