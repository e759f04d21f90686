"""What each kind of file holds, how its rows are matched to what is saved (natural keys, DESIGN
"Getting data in and out") and what confirming it writes.

`Kind.plan(records, context)` reads every row against the database without writing: each row
becomes new, changed (field, old → new), unchanged or error, with the writes it would make kept
as closures. `Plan.write()` runs them; agreements/imports/services.py wraps that in one
transaction and syncs the derived requirements once at the end.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from agreements.imports import values
from agreements.imports.models import ImportKind
from agreements.models import Agreement, AgreementService, Service
from agreements.resources import SERVICE_SEPARATOR, AgreementResource
from agreements.services import agreement_reference_claim, agreement_reference_next
from clients.models import Client, ClientTechnology, Contact
from clients.resources import ClientResource, ClientTechnologyResource, ContactResource
from core.models import add_months
from skills.aliases import ProductMatcher, normalised
from skills.models import (
    Certification,
    Skill,
    Technician,
    TechnicianCertification,
    TechnicianSkill,
)
from skills.resources import (
    TechnicianCertificationResource,
    TechnicianResource,
    TechnicianSkillResource,
)

NEW, CHANGED, UNCHANGED, ERROR, REMOVED, SKIPPED = (
    "new",
    "changed",
    "unchanged",
    "error",
    "removed",
    "skipped",
)


@dataclass
class Context:
    """What a plan reads besides the file: the choices made on the preview, the catalog."""

    matcher: ProductMatcher
    date_order: str = "mdy"
    replace_environment: bool = False
    ignored_products: set[str] = field(default_factory=set)
    user: Any = None
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

    def clients(self) -> dict[str, Client]:
        return self.lookup(
            "clients", lambda: {client.name.casefold(): client for client in Client.objects.all()}
        )

    def technicians(self) -> dict[str, Technician]:
        return self.lookup(
            "technicians",
            lambda: {tech.email.casefold(): tech for tech in Technician.objects.all()},
        )

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
        return self.lookup(
            "certifications",
            lambda: {cert.name.casefold(): cert for cert in Certification.objects.all()},
        )

    def services(self) -> dict[str, Service]:
        return self.lookup(
            "services",
            lambda: {service.name.casefold(): service for service in Service.objects.all()},
        )


@dataclass
class Plan:
    rows: list[dict] = field(default_factory=list)
    unknown_products: dict[str, dict] = field(default_factory=dict)
    writes: list[Callable[[], None]] = field(default_factory=list)
    clients_with_new_environment: set[int] = field(default_factory=set)
    agreements_touched: set[int] = field(default_factory=set)

    def add(self, row: int, status: str, key: str, *, changes=(), errors=(), rows=None):
        self.rows.append(
            {
                "row": row,
                "rows": rows or 1,
                "status": status,
                "key": key,
                "changes": [list(change) for change in changes],
                "errors": list(errors),
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
        self.row, self.cells, self.context = row, cells, context
        self.errors: list[str] = []
        context.tick()

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
        except values.CellError as error:
            self.fail(key, str(error))
            return None

    def choice(self, key: str, choices, default):
        """One of `choices` (value or label, ignoring case); `default` for an empty cell."""
        return self.read(key, lambda raw: values.choice(raw, choices)) or default

    def text(self, key: str, *, required=False, max_length=None) -> str:
        value = self.read(key, values.text, required=required) or ""
        if max_length and len(value) > max_length:
            self.fail(key, f"is {len(value)} characters long; at most {max_length} fit")
        return value

    def date(self, key: str, *, required=False):
        return self.read(
            key, lambda raw: values.date(raw, order=self.context.date_order), required=required
        )

    def client(self, key: str = "client") -> Client | None:
        name = self.text(key, required=True)
        if not name:
            return None
        client = self.context.clients().get(" ".join(name.split()).casefold())
        if client is None:
            self.fail(
                key,
                f"'{name[:80]}' is not a client in Covered (import the clients first, or check "
                "the spelling)",
            )
        return client

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

    def after(self, instance, reader: RowReader, plan: Plan, context: Context) -> list[tuple]:
        """Changes besides the row's own fields (a client's primary contact); none by default."""
        return []

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
                plan.writes.append(saver(instance, context.user))
                plan.writes.extend(getattr(instance, "_import_after_save", ()))
        return plan


# ------------------------------------------------------------------------------ clients


class ClientsKind(ModelKind):
    key = ImportKind.CLIENTS
    model = Client
    resource_class = ClientResource
    what = "client name"
    key_field = "name"
    keep_spelling = ("name",)
    columns = (
        Column(
            "name",
            True,
            (
                "client",
                "client name",
                "company",
                "company name",
                "account",
                "account name",
                "customer",
                "customer name",
                "organization",
                "organisation",
                "site name",
            ),
        ),
        Column("status", synonyms=("client status", "company status", "account status")),
        Column("industry", synonyms=("vertical", "market", "sector", "company type")),
        Column("seats", synonyms=("users", "user count", "employees", "workstations", "endpoints")),
        Column("phone", synonyms=("phone number", "main phone", "telephone")),
        Column("email", synonyms=("email address", "company email", "main email")),
        Column("website", synonyms=("web site", "url", "web", "homepage")),
        Column("address", synonyms=("street", "address line 1", "street address")),
        Column(
            "primary_contact",
            synonyms=("contact", "contact name", "primary contact name", "main contact"),
        ),
        Column("primary_contact_email", synonyms=("contact email",)),
        Column("primary_contact_phone", synonyms=("contact phone",)),
        Column("notes", synonyms=("note", "comments", "description")),
    )

    def export_rows(self):
        return Client.objects.order_by(Lower("name"), "pk").prefetch_related(
            models.Prefetch(
                "contacts",
                queryset=Contact.objects.filter(is_primary=True),
                to_attr="primary_contacts",
            )
        )

    def read_row(self, reader):
        new_values = {"name": " ".join(reader.text("name", required=True, max_length=150).split())}
        for key in ("industry", "phone", "email", "website", "address", "notes"):
            if reader.has(key):
                new_values[key] = reader.text(key)
        if reader.has("status"):
            new_values["status"] = reader.choice("status", Client.Status, Client.Status.ACTIVE)
        if reader.has("seats"):
            new_values["seats"] = reader.read("seats", values.whole_number) or 0
        return new_values

    def display(self, new_values):
        return new_values.get("name") or "(no name)"

    def after(self, client, reader, plan, context):
        if not reader.has("primary_contact"):
            return []
        name = reader.text("primary_contact", max_length=120)
        email = (
            reader.text("primary_contact_email") if reader.has("primary_contact_email") else None
        )
        phone = (
            reader.text("primary_contact_phone") if reader.has("primary_contact_phone") else None
        )
        primary = (
            Contact.objects.filter(client=client, is_primary=True).first() if client.pk else None
        )
        if not name:
            return []
        contact = primary or Contact(client=client, is_primary=True)
        wanted = {"name": name}
        if email is not None:
            wanted["email"] = email
        if phone is not None:
            wanted["phone"] = phone
        labels = {
            "name": "Primary contact",
            "email": "Primary contact email",
            "phone": "Primary contact phone",
        }
        changes = apply(contact, wanted, labels=labels)
        reader.errors += checked(contact, reader.row, labels, exclude=["client"])
        if changes:

            def save_contact():
                contact.client = client
                contact._history_user = context.user
                contact.save()

            client._import_after_save = [save_contact]
        return changes


class ContactsKind(ModelKind):
    key = ImportKind.CONTACTS
    model = Contact
    resource_class = ContactResource
    what = "contact"
    columns = (
        Column(
            "client",
            True,
            (
                "company",
                "company name",
                "account",
                "account name",
                "customer",
                "client name",
                "organization",
            ),
        ),
        Column("name", True, ("contact", "contact name", "full name")),
        Column("email", synonyms=("email address", "e-mail", "contact email")),
        Column("phone", synonyms=("phone number", "telephone", "mobile", "direct phone")),
        Column("role", synonyms=("title", "job title", "position", "contact type")),
        Column("is_primary", synonyms=("primary contact", "is primary", "default contact")),
    )

    def export_rows(self):
        return Contact.objects.select_related("client").order_by(
            Lower("client__name"), "-is_primary", Lower("name"), "pk"
        )

    def read_row(self, reader):
        new_values = {
            "client": reader.client(),
            "name": reader.text("name", required=True, max_length=120),
        }
        for key in ("email", "phone", "role"):
            if reader.has(key):
                new_values[key] = reader.text(key)
        if reader.has("is_primary"):
            new_values["is_primary"] = bool(reader.read("is_primary", values.yes_no))
        return new_values

    def natural_key(self, new_values):
        client = new_values.get("client")
        if client is None:
            return None
        email = new_values.get("email", "")
        return (
            (client.pk, "email", email.casefold())
            if email
            else (client.pk, "name", new_values["name"].casefold())
        )

    def existing(self, keys):
        found = {}
        for contact in Contact.objects.filter(client_id__in={key[0] for key in keys}):
            found[(contact.client_id, "name", contact.name.casefold())] = contact
        for contact in Contact.objects.filter(client_id__in={key[0] for key in keys}).exclude(
            email=""
        ):
            found[(contact.client_id, "email", contact.email.casefold())] = contact
        return found

    def display(self, new_values):
        client = new_values.get("client")
        return f"{client.name if client else '?'}: {new_values.get('name') or '(no name)'}"

    def one_per_file(self, instance):
        if not instance.is_primary:
            return None
        return (instance.client.pk, "primary"), f"{instance.client.name}'s primary contact"


# ------------------------------------------------------------------------------ technicians


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
        if reader.has("notes"):
            new_values["notes"] = reader.text("notes")
        return new_values

    def display(self, new_values):
        return f"{new_values.get('name') or '?'} <{new_values.get('email') or '?'}>"


class TechnicianSkillsKind(ModelKind):
    key = ImportKind.TECHNICIAN_SKILLS
    model = TechnicianSkill
    resource_class = TechnicianSkillResource
    what = "technician and skill"
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
                lambda raw: values.whole_number(
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

    def natural_key(self, new_values):
        if new_values.get("technician") and new_values.get("skill"):
            return (new_values["technician"].pk, new_values["skill"].pk)
        return None

    def existing(self, keys):
        return {
            (held.technician_id, held.skill_id): held
            for held in TechnicianSkill.objects.filter(
                technician_id__in={key[0] for key in keys}
            ).select_related("technician", "skill", "oldest_version", "newest_version")
        }

    def display(self, new_values):
        technician, skill = new_values.get("technician"), new_values.get("skill")
        return f"{technician.email if technician else '?'}: {skill.name if skill else '?'}"


class CertificationsKind(ModelKind):
    key = ImportKind.CERTIFICATIONS
    model = TechnicianCertification
    resource_class = TechnicianCertificationResource
    what = "technician and certification"
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
        name = reader.text("certification", required=True)
        certification = reader.context.certifications().get(" ".join(name.split()).casefold())
        if name and certification is None:
            reader.fail("certification", f"'{name[:80]}' is not a certification of the catalog")
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

    def natural_key(self, new_values):
        # One holding per technician and certification (the database's rule): a later earned
        # on is a renewal of the same row, shown as a change of its dates.
        if new_values.get("technician") and new_values.get("certification"):
            return (new_values["technician"].pk, new_values["certification"].pk)
        return None

    def existing(self, keys):
        return {
            (held.technician_id, held.certification_id): held
            for held in TechnicianCertification.objects.filter(
                technician_id__in={key[0] for key in keys}
            ).select_related("technician", "certification")
        }

    def display(self, new_values):
        technician, cert = new_values.get("technician"), new_values.get("certification")
        earned = new_values.get("earned_on")
        return (
            f"{technician.email if technician else '?'}: {cert.name if cert else '?'}"
            f"{', earned ' + earned.isoformat() if earned else ''}"
        )

    def create(self, new_values):
        return TechnicianCertification(**new_values)


# ------------------------------------------------------------------------------ environment


class EnvironmentKind(Kind):
    """One row per client, product and version; an RMM inventory's rows (one per device and
    product) are summed: the quantity is the number of devices, else the sum of the quantities
    (1 for a row without one)."""

    key = ImportKind.ENVIRONMENT
    resource_class = ClientTechnologyResource
    columns = (
        Column(
            "client",
            True,
            (
                "company",
                "company name",
                "account",
                "account name",
                "customer",
                "customer name",
                "client name",
                "organization",
                "organisation",
                "site",
                "site name",
                "tenant",
            ),
        ),
        Column(
            "product",
            True,
            (
                "software",
                "software name",
                "application",
                "application name",
                "name",
                "program",
                "title",
                "skill",
                "technology",
                "product name",
                "display name",
            ),
        ),
        Column(
            "version",
            synonyms=(
                "display version",
                "product version",
                "software version",
                "app version",
                "build",
            ),
        ),
        Column(
            "quantity",
            synonyms=(
                "count",
                "qty",
                "installs",
                "installations",
                "licenses",
                "licences",
                "seats",
                "devices",
            ),
        ),
        Column(
            "device",
            synonyms=(
                "computer",
                "computer name",
                "device name",
                "hostname",
                "host name",
                "machine",
                "machine name",
                "endpoint",
                "system name",
                "asset",
                "node",
            ),
        ),
        Column("notes", synonyms=("note", "comments")),
    )

    def headers(self):
        return {**super().headers(), "device": "Device"}

    def export_rows(self):
        return ClientTechnology.objects.select_related("client", "skill", "version").order_by(
            Lower("client__name"), Lower("skill__name"), "version__rank", "pk"
        )

    def plan(self, records, context):
        plan = Plan()
        groups: dict[tuple, dict] = {}
        for row, cells in records:
            reader = RowReader(self, row, cells, context)
            client = reader.client()
            product = reader.text("product", required=True)
            skill_id = version_id = None
            if product:
                match = context.matcher.match(product)
                if match is None:
                    if reader.errors:
                        plan.add(row, ERROR, product, errors=reader.errors)
                        continue
                    name = " ".join(product.split())
                    if normalised(name) in context.ignored_products:
                        continue
                    entry = plan.unknown_products.setdefault(
                        normalised(name), {"name": name, "rows": 0}
                    )
                    entry["rows"] += 1
                    continue
                skill_id, version_id = match.skill_id, match.version_id
                if version_id is None and reader.has("version"):
                    version = reader.version("version", context.skills()[skill_id])
                    version_id = version.pk if version else None
            quantity = (
                reader.read("quantity", lambda raw: values.whole_number(raw, minimum=1))
                if reader.has("quantity")
                else None
            )
            notes = reader.text("notes", max_length=255) if reader.has("notes") else None
            if reader.errors:
                plan.add(row, ERROR, product or "(no product)", errors=reader.errors)
                continue
            group = groups.setdefault(
                (client.pk, skill_id, version_id),
                {
                    "row": row,
                    "rows": 0,
                    "devices": set(),
                    "quantity": 0,
                    "notes": None,
                    "client": client,
                },
            )
            group["rows"] += 1
            if reader.has("device") and cells.get("device", "").strip():
                group["devices"].add(cells["device"].strip().casefold())
            group["quantity"] += quantity or 1
            if notes and group["notes"] is None:
                group["notes"] = notes

        client_ids = {key[0] for key in groups}
        existing = {
            (tech.client_id, tech.skill_id, tech.version_id): tech
            for tech in ClientTechnology.objects.filter(client_id__in=client_ids).select_related(
                "client", "skill", "version"
            )
        }
        skills, versions = context.skills(), context.versions()
        created, updated = [], []
        for key, group in sorted(groups.items(), key=lambda item: item[1]["row"]):
            client_id, skill_id, version_id = key
            skill = skills[skill_id]
            version = versions.get(version_id)
            quantity = len(group["devices"]) or group["quantity"]
            display = (
                f"{group['client'].name}: {skill.name}{' ' + version.label if version else ''}"
            )
            technology = existing.get(key)
            if technology is None:
                plan.add(
                    group["row"],
                    NEW,
                    display,
                    rows=group["rows"],
                    changes=[("Quantity", "—", str(quantity))],
                )
                created.append(
                    ClientTechnology(
                        client_id=client_id,
                        skill=skill,
                        version=version,
                        quantity=quantity,
                        notes=group["notes"] or "",
                    )
                )
                continue
            wanted = {"quantity": quantity}
            if group["notes"] is not None:
                wanted["notes"] = group["notes"]
            changes = apply(technology, wanted, labels={"quantity": "Quantity", "notes": "Notes"})
            plan.add(
                group["row"],
                CHANGED if changes else UNCHANGED,
                display,
                rows=group["rows"],
                changes=changes,
            )
            if changes:
                updated.append(technology)
        removed = []
        if context.replace_environment:
            for key, technology in existing.items():
                if key not in groups:
                    removed.append(technology.pk)
                    plan.add(0, REMOVED, f"{technology.client.name}: {technology}")
        if created or updated or removed:
            changed_clients = (
                {tech.client_id for tech in created}
                | {tech.client_id for tech in updated}
                | {key[0] for key, tech in existing.items() if tech.pk in removed}
            )
            plan.clients_with_new_environment |= changed_clients

            def write_environment():
                if removed:
                    ClientTechnology.objects.filter(pk__in=removed).delete()
                if updated:
                    ClientTechnology.objects.bulk_update(
                        updated, ["quantity", "notes", "updated_at"], batch_size=1000
                    )
                if created:
                    ClientTechnology.objects.bulk_create(created, batch_size=1000)

            for technology in updated:
                technology.updated_at = timezone.now()
            plan.writes.append(write_environment)
        return plan


# ------------------------------------------------------------------------------ agreements


class AgreementsKind(Kind):
    key = ImportKind.AGREEMENTS
    resource_class = AgreementResource
    columns = (
        Column(
            "reference",
            synonyms=(
                "agreement",
                "agreement number",
                "contract number",
                "contract id",
                "agreement id",
                "ref",
            ),
        ),
        Column(
            "client",
            True,
            ("company", "company name", "account", "account name", "customer", "client name"),
        ),
        Column(
            "title", True, ("name", "agreement name", "contract name", "contract", "description")
        ),
        Column("status", synonyms=("agreement status", "contract status")),
        Column("start_date", True, ("start", "starts", "start on", "effective date", "begin date")),
        Column("end_date", synonyms=("end", "ends", "end on", "expiration date", "expiry date")),
        Column(
            "auto_renew", synonyms=("auto renew", "autorenew", "renews automatically", "renewal")
        ),
        Column("notice_days", synonyms=("notice", "notice period", "notice period days")),
        Column(
            "billing_cycle",
            synonyms=("billing", "billing frequency", "invoice cycle", "billing period"),
        ),
        Column(
            "annual_value",
            True,
            ("value", "annual amount", "yearly value", "arr", "contract value", "amount"),
        ),
        Column(
            "sla_response_hours", synonyms=("sla", "sla hours", "response hours", "response time")
        ),
        Column("support_hours", synonyms=("coverage hours", "hours of support", "support window")),
        Column("services", synonyms=("service", "products", "service list")),
        Column("notes", synonyms=("note", "comments")),
    )

    def export_rows(self):
        return (
            Agreement.objects.select_related("client")
            .prefetch_related("agreement_services__service")
            .order_by(Lower("client__name"), "reference", "pk")
        )

    def read(self, reader: RowReader) -> tuple[dict, list | None]:
        new_values = {
            "client": reader.client(),
            "title": " ".join(reader.text("title", required=True, max_length=200).split()),
            "start_date": reader.date("start_date", required=True),
            "annual_value": reader.read("annual_value", values.money, required=True),
        }
        if reader.has("status"):
            new_values["status"] = reader.choice("status", Agreement.Status, Agreement.Status.DRAFT)
        if reader.has("end_date"):
            new_values["end_date"] = reader.date("end_date")
        if reader.has("auto_renew"):
            new_values["auto_renew"] = bool(reader.read("auto_renew", values.yes_no))
        for key, default in (("notice_days", 60), ("sla_response_hours", 4)):
            if reader.has(key):
                number = reader.read(key, lambda raw: values.whole_number(raw, maximum=32767))
                new_values[key] = default if number is None else number
        for key, choices, default in (
            ("billing_cycle", Agreement.BillingCycle, Agreement.BillingCycle.MONTHLY),
            ("support_hours", Agreement.SupportHours, Agreement.SupportHours.BUSINESS),
        ):
            if reader.has(key):
                new_values[key] = reader.choice(key, choices, default)
        if reader.has("notes"):
            new_values["notes"] = reader.text("notes")
        services = None
        if reader.has("services"):
            services = []
            for name in reader.cells["services"].replace("|", ";").replace(",", ";").split(";"):
                name = " ".join(name.split())
                if not name:
                    continue
                service = reader.context.services().get(name.casefold())
                if service is None:
                    reader.fail("services", f"'{name[:80]}' is not a service of the catalog")
                else:
                    services.append(service)
        return new_values, services

    def plan(self, records, context):
        plan = Plan()
        labels = self.headers()
        by_reference = {}
        by_title = {}
        for agreement in Agreement.objects.select_related("client").prefetch_related(
            "agreement_services"
        ):
            by_reference[agreement.reference.casefold()] = agreement
            by_title.setdefault((agreement.client_id, agreement.title.casefold()), agreement)
        first_row = {}
        references_taken = set(by_reference)
        for row, cells in records:
            reader = RowReader(self, row, cells, context)
            new_values, services = self.read(reader)
            reference = reader.text("reference", max_length=20) if reader.has("reference") else ""
            client = new_values.get("client")
            display = (
                f"{reference or '(new)'} {client.name if client else '?'}: "
                f"{new_values.get('title') or '?'}"
            )
            agreement = by_reference.get(reference.casefold()) if reference else None
            if agreement is None and not reference and client is not None:
                agreement = by_title.get((client.pk, new_values["title"].casefold()))
            key = (
                ("ref", reference.casefold())
                if reference
                else (
                    "title",
                    client.pk if client else None,
                    new_values.get("title", "").casefold(),
                )
            )
            if key in first_row:
                reader.errors.append(duplicate_error(row, first_row[key], "agreement"))
            first_row.setdefault(key, row)
            if reader.errors:
                plan.add(row, ERROR, display, errors=reader.errors)
                continue
            if agreement is None:
                agreement = Agreement(**new_values)
                status, changes = NEW, []
                if reference and reference.casefold() in references_taken:
                    reader.errors.append(message(row, "Reference", f"{reference} is already used"))
                references_taken.add(reference.casefold())
            else:
                changes = apply(agreement, new_values, labels=labels)
                status = CHANGED if changes else UNCHANGED
            errors = reader.errors + checked(agreement, row, labels, exclude=["reference"])
            if errors:
                plan.add(row, ERROR, display, errors=errors)
                continue
            current = (
                {link.service_id for link in agreement.agreement_services.all()}
                if agreement.pk
                else set()
            )
            wanted = {service.pk for service in services} if services is not None else current
            if wanted != current:
                names = {service.pk: service.name for service in context.services().values()}
                changes.append(
                    (
                        labels["services"],
                        SERVICE_SEPARATOR.join(sorted(names[pk] for pk in current)) or "—",
                        SERVICE_SEPARATOR.join(sorted(names[pk] for pk in wanted)) or "—",
                    )
                )
                status = CHANGED if status == UNCHANGED else status
            plan.add(row, status, display, changes=changes)
            if status != UNCHANGED:
                plan.writes.append(
                    self.writer(
                        agreement,
                        reference,
                        wanted if wanted != current else None,
                        plan,
                        context.user,
                    )
                )
        return plan

    @staticmethod
    def writer(agreement, reference, services, plan, user):
        def write():
            if agreement.pk is None:
                if reference:
                    agreement_reference_claim(reference)
                agreement.reference = reference or agreement_reference_next()
            agreement._history_user = user
            agreement.save()
            if services is not None:
                agreement.agreement_services.exclude(service_id__in=services).delete()
                current = set(agreement.agreement_services.values_list("service_id", flat=True))
                AgreementService.objects.bulk_create(
                    AgreementService(agreement=agreement, service_id=pk)
                    for pk in services - current
                )
            plan.agreements_touched.add(agreement.pk)

        return write


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        ClientsKind(),
        ContactsKind(),
        EnvironmentKind(),
        TechniciansKind(),
        TechnicianSkillsKind(),
        CertificationsKind(),
        AgreementsKind(),
    )
}
# The order in which a whole portfolio is imported: what a row names must exist first.
IMPORT_ORDER = [
    ImportKind.CLIENTS,
    ImportKind.CONTACTS,
    ImportKind.TECHNICIANS,
    ImportKind.ENVIRONMENT,
    ImportKind.TECHNICIAN_SKILLS,
    ImportKind.CERTIFICATIONS,
    ImportKind.AGREEMENTS,
]
