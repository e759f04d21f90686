"""The machinery every kind of file shares: what a plan reads besides the file (Context), what
it would write (Plan), reading a row's cells in plain words (RowReader), and ModelKind, a kind
whose rows map one to one to saved rows matched on a natural key."""

import datetime
import functools
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from agreements.imports import cell_values
from agreements.imports.models import ImportKind
from agreements.models import Service
from clients.models import Client, ClientAlias
from core.time_zones import validate_time_zone
from core.validators import refuse_control_characters, without_control_characters
from skills.aliases import ProductMatcher
from skills.models import Certification, Skill, Technician

NEW, CHANGED, UNCHANGED, ERROR, REMOVED, SKIPPED = (
    "new",
    "changed",
    "unchanged",
    "error",
    "removed",
    "skipped",
)


@functools.cache
def time_zone_spellings() -> dict[str, str]:
    """{name ignoring case: the zone database's name} of every zone it knows."""
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


@dataclass
class Context:
    """What a plan reads besides the file: the choices made on the preview, the catalog."""

    matcher: ProductMatcher
    date_order: str = "mdy"
    replace_environment: bool = False
    ignored_products: set[str] = field(default_factory=set)
    # Unknown versions (product name and version cell, normalised) left out, or imported
    # without a version.
    ignored_versions: set[str] = field(default_factory=set)
    versionless: set[str] = field(default_factory=set)
    # Client names (normalised) a file names that Covered does not know: left out, or created.
    ignored_clients: set[str] = field(default_factory=set)
    created_clients: set[str] = field(default_factory=set)
    # Client names (case and spaces folded, as clients() keys them) whose whole environment the
    # rows stand for, even when no row names them (a sync's clients): replacing the environment
    # removes what they no longer list.
    replaced_clients: set[str] = field(default_factory=set)
    user: Any = None
    # Rows a connection's sync writes: copies of another system's data, which nobody judged.
    synced: bool = False
    # Called with the number of rows read so far, after each row (for a progress bar).
    on_progress: Callable[[int], None] | None = None
    rows_read: int = 0
    _lookups: dict = field(default_factory=dict)

    def tick(self) -> None:
        self.rows_read += 1
        if self.on_progress:
            self.on_progress(self.rows_read)

    def lookup(self, name: str, build: Callable[[], dict]) -> dict:
        if name not in self._lookups:
            self._lookups[name] = build()
        return self._lookups[name]

    def by_casefold(self, name: str, rows: models.QuerySet, field: str) -> dict:
        """`rows` by their `field` ignoring case, read once per plan."""
        return self.lookup(name, lambda: {getattr(row, field).casefold(): row for row in rows})

    def clients(self) -> dict[str, Client]:
        """Clients by name ignoring case, and by the other spellings remembered for them."""

        def build():
            clients = {client.name.casefold(): client for client in Client.objects.all()}
            by_pk = {client.pk: client for client in clients.values()}
            for alias in ClientAlias.objects.all():
                clients.setdefault(alias.name.casefold(), by_pk[alias.client_id])
            return clients

        return self.lookup("clients", build)

    def technicians(self) -> dict[str, Technician]:
        return self.by_casefold("technicians", Technician.objects.all(), "email")

    def skills(self) -> dict[int, Skill]:
        return self.lookup(
            "skills",
            lambda: {skill.pk: skill for skill in Skill.objects.prefetch_related("versions")},
        )

    def versions(self) -> dict:
        return self.lookup(
            "versions",
            lambda: {
                version.pk: version
                for skill in self.skills().values()
                for version in skill.versions.all()
            },
        )

    def certifications(self) -> dict[str, Certification]:
        return self.by_casefold("certifications", Certification.objects.all(), "name")

    def services(self) -> dict[str, Service]:
        return self.by_casefold("services", Service.objects.all(), "name")


@dataclass
class Plan:
    rows: list[dict] = field(default_factory=list)
    unknown_products: dict[str, dict] = field(default_factory=dict)
    unknown_versions: dict[str, dict] = field(default_factory=dict)
    unknown_clients: dict[str, dict] = field(default_factory=dict)
    writes: list[Callable[[], None]] = field(default_factory=list)
    clients_with_new_environment: set[int] = field(default_factory=set)
    agreements_touched: set[int] = field(default_factory=set)
    # {client id: rows of its environment the write removes} ("replace this client's environment")
    removed_per_client: dict[int, int] = field(default_factory=dict)

    def add(
        self, row: int, status: str, key: str, *, changes=(), errors=(), rows=None, warnings=()
    ):
        self.rows.append(
            {
                "row": row,
                "rows": rows or 1,
                "status": status,
                "key": key,
                "changes": [list(change) for change in changes],
                "errors": list(errors),
                "warnings": list(warnings),
            }
        )

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row["status"] == ERROR)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((NEW, CHANGED, UNCHANGED, ERROR, REMOVED, SKIPPED), 0)
        for row in self.rows:
            counts[row["status"]] += 1
        return counts

    def write(self, *, after_each: Callable[[int], None] | None = None) -> None:
        for count, write in enumerate(self.writes, start=1):
            write()
            if after_each:
                after_each(count)


@dataclass(frozen=True)
class Column:
    key: str
    required: bool = False
    # Column names of PSA and RMM exports that mean this field (besides the resource's own).
    synonyms: tuple[str, ...] = ()


def shown(value) -> str:
    """A value as the preview shows it in "old → new"."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return getattr(value, "label", None) or str(value)
    return str(value)


def message(row: int, label: str, text: str) -> str:
    return f"Row {row}, {label.lower()}: {text}"


class Kind:
    key: str
    resource_class: type
    columns: tuple[Column, ...]

    @property
    def label(self) -> str:
        return ImportKind(self.key).label

    def headers(self) -> dict[str, str]:
        """{field key: column name}, in the resource's (the export's) order."""
        resource = self.resource_class()
        return {
            name: resource.fields[name].column_name
            for name in resource.get_export_order()
            if name in {column.key for column in self.columns}
        }

    def required(self) -> list[str]:
        return [column.key for column in self.columns if column.required]

    def export_rows(self):
        raise NotImplementedError

    def plan(self, records: list[tuple[int, dict[str, str]]], context: Context) -> Plan:
        raise NotImplementedError


# ------------------------------------------------------------------------------ shared steps


class RowReader:
    """Reads one row's cells, collecting plain-words messages for the ones that do not read."""

    def __init__(self, kind: Kind, row: int, cells: dict[str, str], context: Context):
        self.headers = kind.headers()
        self.row, self.context = row, context
        self.errors: list[str] = []
        self.cells = {key: self._checked_cell(key, raw) for key, raw in cells.items()}
        context.tick()

    def _checked_cell(self, key: str, raw: str) -> str:
        """The cell, refused with a message when it holds a control character; what is read
        on is the cell without them, so that no message or preview of the row holds one (the
        database keeps none: not NUL, in any column)."""
        try:
            refuse_control_characters(raw)
        except ValidationError as error:
            self.fail(key, error.messages[0])
            return without_control_characters(raw)
        return raw

    def has(self, key: str) -> bool:
        return key in self.cells

    def fail(self, key: str, text: str) -> None:
        self.errors.append(message(self.row, self.headers.get(key, key), text))

    def read(self, key: str, reader: Callable[[str], Any], *, required=False):
        raw = self.cells.get(key, "")
        if required and not raw.strip():
            self.fail(key, "is empty")
            return None
        try:
            return reader(raw)
        except cell_values.CellError as error:
            self.fail(key, str(error))
            return None

    def choice(self, key: str, choices, default):
        """One of `choices` (value or label, ignoring case); `default` for an empty cell."""
        return self.read(key, lambda raw: cell_values.choice(raw, choices)) or default

    def text(self, key: str, *, required=False, max_length=None) -> str:
        value = self.read(key, cell_values.text, required=required) or ""
        if max_length and len(value) > max_length:
            self.fail(key, f"is {len(value)} characters long; at most {max_length} fit")
        return value

    def date(self, key: str, *, required=False):
        return self.read(
            key, lambda raw: cell_values.date(raw, order=self.context.date_order), required=required
        )

    def time_zone(self, key: str = "time_zone") -> str | None:
        """An IANA zone name, spelt as the zone database spells it ("europe/london" reads as
        Europe/London); None for an empty cell, which keeps what is saved (the default for a
        new row)."""
        name = self.text(key, max_length=64)
        if not name:
            return None
        name = time_zone_spellings().get(name.replace(" ", "_").casefold(), name)
        try:
            validate_time_zone(name)
        except ValidationError as error:
            self.fail(key, error.messages[0])
            return None
        return name

    def named(self, key: str, known: Callable[[], dict], unknown: str):
        """What a required cell names among `known` (by name, ignoring case and extra spaces);
        `unknown` says what the name is not."""
        name = self.text(key, required=True)
        if not name:
            return None
        found = known().get(" ".join(name.split()).casefold())
        if found is None:
            self.fail(key, f"'{name[:80]}' is not {unknown}")
        return found

    def client(self, key: str = "client") -> Client | None:
        return self.named(
            key,
            self.context.clients,
            "a client in Covered (import the clients first, or check the spelling)",
        )

    def certification(self, key: str = "certification") -> Certification | None:
        return self.named(key, self.context.certifications, "a certification of the catalog")

    def technician(self, key: str = "technician_email") -> Technician | None:
        email = self.text(key, required=True)
        if not email:
            return None
        technician = self.context.technicians().get(email.casefold())
        if technician is None:
            self.fail(key, f"no technician has the email address '{email[:80]}'")
        return technician

    def skill(self, key: str = "skill") -> Skill | None:
        name = self.text(key, required=True)
        if not name:
            return None
        match = self.context.matcher.match(name)
        if match is None:
            self.fail(key, f"'{name[:80]}' is not a skill of the catalog")
            return None
        return self.context.skills()[match.skill_id]

    def version(self, key: str, skill: Skill | None):
        label = self.text(key)
        # A skill the catalog records no versions of takes none: the cell says nothing to it.
        if not label or skill is None or not self.context.matcher.known_labels(skill.pk):
            return None
        version_id = self.context.matcher.version_for(skill.pk, label)
        if version_id is None:
            known = ", ".join(self.context.matcher.known_labels(skill.pk)) or "none recorded"
            self.fail(
                key, f"'{label[:40]}' is not a known version of {skill.name} (known: {known})"
            )
            return None
        return self.context.versions()[version_id]


def validation_messages(row: int, error: ValidationError, labels: dict[str, str]) -> list[str]:
    if not hasattr(error, "error_dict"):
        return [f"Row {row}: {text}" for text in error.messages]
    return [
        message(row, labels.get(name, name.replace("_", " ")), text)
        for name, errors in error.message_dict.items()
        for text in errors
    ]


def apply(instance, new_values: dict, *, labels: dict[str, str]) -> list[tuple[str, str, str]]:
    """Set `new_values` on `instance`; the changes as (column, old, new) for the preview."""
    changes = []
    for name, value in new_values.items():
        old = getattr(instance, name)
        if old != value:
            changes.append((labels.get(name, name), shown(old), shown(value)))
            setattr(instance, name, value)
    return changes


def checked(instance, row: int, labels: dict[str, str], exclude=()) -> list[str]:
    """The model's own validation of a row, without the queries of its unique checks (the
    natural keys of the plan stand for them)."""
    try:
        instance.full_clean(
            exclude=list(exclude), validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        return validation_messages(row, error, labels)
    return []


def saver(instance, user) -> Callable[[], None]:
    def save():
        instance._history_user = user
        instance.save()

    return save


def duplicate_error(row: int, first: int, what: str) -> str:
    return f"Row {row}: the same {what} as row {first}; each may appear once in a file"


class ModelKind(Kind):
    """A kind whose rows map one to one to rows of `model`, matched on a natural key."""

    model: type[models.Model]
    what = "row"  # in "the same … as row 3"
    # Fields of the natural key matched ignoring case: a saved row keeps its own spelling.
    keep_spelling: tuple[str, ...] = ()

    def read_row(self, reader: RowReader) -> dict:
        """{model field: value} for the columns the file has."""
        raise NotImplementedError

    # A kind keyed on one text field, matched ignoring case, names it; others override
    # natural_key and existing.
    key_field: str | None = None

    def natural_key(self, new_values: dict) -> tuple | None:
        if self.key_field is None:
            raise NotImplementedError
        value = new_values.get(self.key_field)
        return (value.casefold(),) if value else None

    def existing(self, keys: set) -> dict:
        """{natural key: saved row} of the rows of `keys` already in the database."""
        if self.key_field is None:
            raise NotImplementedError
        rows = self.model.objects.annotate(import_key=Lower(self.key_field)).filter(
            import_key__in=[key[0] for key in keys]
        )
        return {(getattr(row, self.key_field).casefold(),): row for row in rows}

    def display(self, new_values: dict) -> str:
        raise NotImplementedError

    def create(self, new_values: dict):
        return self.model(**new_values)

    def writer(self, instance, context: Context) -> Callable[[], None]:
        """What saves a new or changed row at the import; the row's own save by default, a
        kind whose rows have a service writes through it."""
        return saver(instance, context.user)

    def after(self, instance, reader: RowReader, plan: Plan, context: Context) -> list[tuple]:
        """Changes besides the row's own fields (a client's primary contact); none by default."""
        return []

    def check_rows(self, read: list[tuple[RowReader, dict]], existing: dict) -> None:
        """Refuse rows that clash with others of the file or with saved rows that the file
        leaves as they are (two spans of time off that overlap), by adding to their readers'
        errors; nothing by default."""

    def one_per_file(self, instance) -> tuple[tuple, str] | None:
        """(key, what) of something only one row of a file may claim for `instance` beyond its
        natural key (a client's primary contact), which the database would refuse at the
        write; none by default."""
        return None

    def plan(self, records, context):
        plan = Plan()
        labels = {**self.headers()}
        read = []
        for row, cells in records:
            reader = RowReader(self, row, cells, context)
            new_values = self.read_row(reader)
            read.append((reader, new_values))
        keys = {
            key
            for reader, new_values in read
            if not reader.errors
            for key in [self.natural_key(new_values)]
            if key
        }
        existing = self.existing(keys)
        self.check_rows(read, existing)
        first_row: dict[tuple, int] = {}
        claimed: dict[tuple, int] = {}
        for reader, new_values in read:
            key = None if reader.errors else self.natural_key(new_values)
            display = self.display(new_values)
            if key is not None and key in first_row:
                reader.errors.append(duplicate_error(reader.row, first_row[key], self.what))
            elif key is not None:
                first_row[key] = reader.row
            if reader.errors:
                plan.add(reader.row, ERROR, display, errors=reader.errors)
                continue
            instance = existing.get(key)
            if instance is None:
                instance = self.create(new_values)
                changes = []
                status = NEW
            else:
                for name in self.keep_spelling:
                    if str(getattr(instance, name)).casefold() == str(new_values[name]).casefold():
                        new_values.pop(name)
                changes = apply(instance, new_values, labels=labels)
                status = CHANGED if changes else UNCHANGED
            errors = checked(instance, reader.row, labels)
            claim = None if errors else self.one_per_file(instance)
            if claim is not None and claim[0] in claimed:
                errors.append(f"Row {reader.row}: {claim[1]} is already row {claimed[claim[0]]}")
            elif claim is not None:
                claimed[claim[0]] = reader.row
            extra = self.after(instance, reader, plan, context) if not errors else []
            errors += reader.errors
            if errors:
                plan.add(reader.row, ERROR, display, errors=errors)
                continue
            changes += extra
            if status == UNCHANGED and extra:
                status = CHANGED
            plan.add(reader.row, status, display, changes=changes)
            if status != UNCHANGED:
                plan.writes.append(self.writer(instance, context))
                plan.writes.extend(getattr(instance, "_import_after_save", ()))
        return plan
