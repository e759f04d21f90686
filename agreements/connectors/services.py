"""Writes of the connections: save one (credentials kept encrypted, never read back), test it,
and sync it: fetch from the vendor, apply the connection's mappings, follow the vendor's renames,
then the same preview and write as a file import (agreements/imports/services.py), in one
transaction, or stop at the preview for a person to confirm.

A sync's history author is the connection's own service user: a user row that cannot log in,
named for the connection, so that "who changed this client" reads "NinjaOne: Head office RMM"."""

import csv
import io
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from agreements.connectors.http import ConnectorError
from agreements.connectors.models import SYNC_CHOICES, Connection, ExternalRef, SyncRun
from agreements.connectors.selectors import connection_has_applied, connections_due
from agreements.connectors.vendors.base import CLIENTS_KIND, ENVIRONMENT_KIND, ENVIRONMENTS
from agreements.imports import services as imports
from agreements.imports.kinds import IMPORT_ORDER
from agreements.imports.models import ImportBatch
from agreements.imports.tables import FileRefused
from agreements.models import Agreement, Service
from clients.models import Client, ClientAlias, ClientTechnology, Contact
from core.services import model_update
from skills.aliases import normalised
from skills.models import Certification, Skill, Technician

logger = logging.getLogger(__name__)

MAPPED_VOCABULARIES = ("services", "skills", "skill_levels", "certifications")
# Kinds whose rows are objects with a vendor id, and their model.
REF_MODELS = {
    "clients": Client,
    "contacts": Contact,
    "technicians": Technician,
    "agreements": Agreement,
}
# A rename in the vendor: kind -> (model, key field, the key's column in the other kinds' rows
# or None, the field within which the key is unique or None). An agreement is matched on its
# reference when the row gives one, else on its title within its client.
RENAMED_KEYS = {
    "clients": [(Client, "name", "client", None)],
    "technicians": [(Technician, "email", "technician_email", None)],
    "contacts": [(Contact, "email", None, "client")],
    "agreements": [(Agreement, "reference", None, None), (Agreement, "title", None, "client")],
}
MAX_REASONS = 20
COUNTED = ("new", "changed", "unchanged", "skipped", "error", "removed")


# ------------------------------------------------------------------------------ connections


def _service_user(connection: Connection):
    """The connection's own user, who cannot log in: the syncs' history author."""
    user = get_user_model()(
        username=f"connection-{connection.pk}",
        first_name=connection.label[:150],
        is_active=False,
    )
    user.set_unusable_password()
    user.save()
    return user


def _credentials_checked(kind: str, credentials: dict[str, str], saved: dict[str, str]) -> dict:
    """The saved credentials with the new values given (a blank keeps what is saved);
    ValidationError naming what is missing."""
    vendor = Connection(kind=kind).vendor
    merged = {key: saved.get(key, "") for key, _ in vendor.credential_fields}
    for key, value in credentials.items():
        if key in merged and value.strip():
            merged[key] = value.strip()
    missing = [label for key, label in vendor.credential_fields if not merged[key]]
    if missing:
        raise ValidationError(f"Enter the {', '.join(missing)}.")
    return merged


def _syncs_checked(kind: str, syncs: list[str]) -> list[str]:
    offered = Connection(kind=kind).vendor.syncs
    chosen = [key for key, _ in SYNC_CHOICES if key in syncs]
    if not chosen:
        raise ValidationError({"syncs": "Choose at least one thing to sync."})
    refused = [key for key in chosen if key not in offered]
    if refused:
        labels = dict(SYNC_CHOICES)
        raise ValidationError(
            {
                "syncs": f"{Connection(kind=kind).get_kind_display()} does not give "
                f"{', '.join(labels[key].lower() for key in refused)}."
            }
        )
    return chosen


@transaction.atomic
def connection_create(
    *,
    kind: str,
    name: str,
    base_url: str,
    credentials: dict[str, str],
    syncs: list[str],
    user,
    schedule_enabled: bool = True,
    schedule_time=None,
) -> Connection:
    connection = Connection(
        kind=kind,
        name=name,
        base_url=base_url.strip().rstrip("/"),
        schedule_enabled=schedule_enabled,
    )
    if schedule_time is not None:
        connection.schedule_time = schedule_time
    connection.full_clean(exclude=["credentials", "syncs"])
    connection.credentials = _credentials_checked(kind, credentials, {})
    connection.syncs = _syncs_checked(kind, syncs)
    connection._history_user = user
    connection.save()
    connection.service_user = _service_user(connection)
    connection.save(update_fields=["service_user"])
    return connection


@transaction.atomic
def connection_update(
    *, connection: Connection, user, credentials: dict[str, str] | None = None, **fields
) -> Connection:
    """Change the connection; a credential left blank keeps the saved one."""
    if "base_url" in fields:
        fields["base_url"] = fields["base_url"].strip().rstrip("/")
    if "syncs" in fields:
        fields["syncs"] = _syncs_checked(fields.get("kind", connection.kind), fields["syncs"])
    if credentials is not None:
        fields["credentials"] = _credentials_checked(
            connection.kind, credentials, connection.credentials
        )
    connection._history_user = user
    connection = model_update(instance=connection, fields=fields)
    if connection.service_user_id:
        get_user_model().objects.filter(pk=connection.service_user_id).update(
            first_name=connection.label[:150]
        )
    return connection


def _opened(connection: Connection):
    return connection.vendor.open(
        connection.base_url,
        dict(connection.credentials),
        time_limit=settings.CONNECTOR_SYNC_TIME_LIMIT_SECONDS,
        backoff=settings.CONNECTOR_RETRY_BACKOFF_SECONDS,
        page_size=settings.CONNECTOR_PAGE_SIZE,
    )


def connection_test(*, connection: Connection) -> tuple[bool, str]:
    """One authenticated call: (True, what it found) or (False, why not), in plain words."""
    try:
        with _opened(connection) as http:
            return True, connection.vendor.test(http)
    except ConnectorError as error:
        return False, f"{connection.get_kind_display()} answered: {error}."
    except Exception:
        logger.exception("Testing connection %s failed", connection.pk)
        return False, f"Could not reach {connection.get_kind_display()} at {connection.base_url}."


def connection_mappings_set(*, connection: Connection, mappings: dict, user) -> Connection:
    """Keep the mappings of the vendor's names: {vocabulary: {vendor name: our id, or 0 to
    leave it out}} (levels: 1-5); ValidationError for an id that is not ours."""
    known = {
        "services": set(Service.objects.values_list("pk", flat=True)),
        "skills": set(Skill.objects.values_list("pk", flat=True)),
        "certifications": set(Certification.objects.values_list("pk", flat=True)),
        "skill_levels": {1, 2, 3, 4, 5},
    }
    cleaned = {}
    for vocabulary, entries in mappings.items():
        if vocabulary not in MAPPED_VOCABULARIES:
            raise ValidationError("Choose the mappings among those offered.")
        cleaned[vocabulary] = {}
        for name, target in entries.items():
            if target in (None, ""):
                continue
            target = int(target)
            if target != 0 and target not in known[vocabulary]:
                raise ValidationError(f"“{name[:80]}” is mapped to something that is not there.")
            cleaned[vocabulary][" ".join(str(name).split())[:200]] = target
    return connection_update(
        connection=connection, user=user, mappings={**connection.mappings, **cleaned}
    )


# ------------------------------------------------------------------------------ runs


def sync_run_start(*, connection: Connection, trigger: str, user=None) -> SyncRun:
    """A new run, waiting for the worker (tasks.sync_run_execute); ValidationError when one is
    running or waiting for review already."""
    _abandoned_runs_fail(connection)
    if connection.runs.filter(status=SyncRun.Status.REVIEW).exists():
        raise ValidationError("The last sync is waiting for review: confirm or cancel it first.")
    try:
        with transaction.atomic():
            return SyncRun.objects.create(
                connection=connection, trigger=trigger, started_by=user, progress=0
            )
    except IntegrityError:
        raise ValidationError("A sync of this connection is running already.") from None


def _abandoned_runs_fail(connection: Connection) -> None:
    """A run still "running" long after its task's hard limit lost its worker: record it as
    failed, so that it does not hold the connection's one running sync for ever."""
    cutoff = timezone.now() - timezone.timedelta(
        seconds=settings.CONNECTOR_SYNC_TIME_LIMIT_SECONDS + 600
    )
    for run in connection.runs.filter(status=SyncRun.Status.RUNNING, started_at__lt=cutoff):
        _failed(run, "The worker stopped before this sync finished. Nothing was written.")


def _progress(run: SyncRun, progress: int) -> None:
    run.progress = progress
    SyncRun.objects.filter(pk=run.pk).update(progress=progress)


def _finish(run: SyncRun, status: str, *, error: str = "") -> SyncRun:
    run.status, run.error, run.finished_at = status, error, timezone.now()
    run.progress = 100
    run.save(update_fields=["status", "error", "finished_at", "progress", "counts", "notes"])
    connection_status = {
        SyncRun.Status.APPLIED: Connection.Status.OK,
        SyncRun.Status.REVIEW: Connection.Status.REVIEW,
        SyncRun.Status.FAILED: Connection.Status.FAILED,
    }.get(status)
    if connection_status:
        changes = {"status": connection_status}
        if status == SyncRun.Status.APPLIED:
            changes["last_synced_at"] = run.finished_at
        Connection.objects.filter(pk=run.connection_id).update(**changes)
    return run


def _failed(run: SyncRun, text: str) -> SyncRun:
    for batch in _run_batches(run):
        if batch.state != ImportBatch.State.IMPORTED:
            batch.file.delete(save=False)
            batch.delete()
    return _finish(run, SyncRun.Status.FAILED, error=text)


def sync_run_execute(*, run: SyncRun) -> SyncRun:
    """Fetch, map, preview; then write in one transaction, or stop at the preview (the first
    sync, or one that would remove too much). Any failure writes nothing and is recorded on the
    run in plain words; the credentials are never part of them."""
    connection = run.connection
    vendor = connection.vendor
    try:
        with _opened(connection) as http:
            _progress(run, 10)
            records = vendor.fetch(http, syncs=frozenset(connection.syncs) & vendor.syncs)
    except ConnectorError as error:
        return _failed(run, f"{vendor.label} answered: {error}. Nothing was written.")
    except Exception:
        logger.exception("Sync %s of connection %s failed", run.pk, connection.pk)
        return _failed(run, f"The sync from {vendor.label} failed. Nothing was written.")
    _progress(run, 50)
    try:
        prepared = _prepared(connection, records)
        run.names = {name: dict(counts) for name, counts in records.names.items()}
        run.notes = [f"{vendor.label} skipped: {reason}" for reason in records.skipped]
        run.notes += [
            f"Left out by the mappings: {count} {kind.replace('_', ' ')} rows."
            for kind, count in sorted(prepared.left_out.items())
        ]
        run.notes += _nothing_listed_notes(connection, prepared)
        run.batches = _batches_create(run, prepared)
        run.save(update_fields=["names", "notes", "batches"])
        _progress(run, 70)
        reasons = _review_reasons(run, prepared)
    except FileRefused as refused:
        return _failed(run, f"The rows from {vendor.label} could not be read: {refused}")
    except Exception:
        logger.exception("Sync %s of connection %s failed", run.pk, connection.pk)
        return _failed(run, f"The sync from {vendor.label} failed. Nothing was written.")
    _counts(run)
    if reasons:
        run.notes = [*reasons, *run.notes]
        return _finish(run, SyncRun.Status.REVIEW)
    return _apply(run)


def sync_run_confirm(*, run: SyncRun, user) -> SyncRun:
    """Write a sync that waited for review, as its preview stands now."""
    with transaction.atomic():
        run = SyncRun.objects.select_for_update().get(pk=run.pk)
        if run.status != SyncRun.Status.REVIEW:
            raise ValidationError("This sync is not waiting for review.")
        run.notes = [*run.notes, f"Confirmed by {user.get_full_name() or user.get_username()}."]
    imports.import_batches_preview(batches=_run_batches(run))
    _counts(run)
    return _apply(run)


def sync_run_cancel(*, run: SyncRun, user) -> SyncRun:
    if run.status != SyncRun.Status.REVIEW:
        raise ValidationError("Only a sync waiting for review can be cancelled.")
    for batch in _run_batches(run):
        batch.file.delete(save=False)
        batch.delete()
    run.notes = [*run.notes, f"Cancelled by {user.get_full_name() or user.get_username()}."]
    run = _finish(run, SyncRun.Status.CANCELLED)
    Connection.objects.filter(pk=run.connection_id).update(
        status=Connection.Status.OK
        if connection_has_applied(run.connection)
        else Connection.Status.NEW
    )
    return run


def syncs_due_start(*, now=None) -> list[SyncRun]:
    """Start the scheduled syncs whose time has come (the beat's task, every
    CONNECTOR_SCHEDULE_MINUTES)."""
    now = now or timezone.now()
    window = timezone.timedelta(minutes=settings.CONNECTOR_SCHEDULE_MINUTES)
    started = []
    for connection in connections_due(now, window=window):
        try:
            started.append(sync_run_start(connection=connection, trigger=SyncRun.Trigger.SCHEDULE))
        except ValidationError:
            continue
    return started


# ------------------------------------------------------------------------------ the sync


@dataclass
class Prepared:
    """The vendor's rows once mapped, with their vendor ids, and the renames to make."""

    rows: dict[str, list[dict[str, str]]]
    external_ids: dict[str, list[str]]
    renames: list[tuple[models.Model, str, str]] = field(default_factory=list)
    left_out: Counter = field(default_factory=Counter)


def _mapped_name(mapping: dict, name: str, model, attribute: str = "name"):
    """Our name for the vendor's `name` through `mapping`; None when mapped to "leave out";
    the vendor's name itself when it is not mapped (the import then says it is unknown)."""
    target = mapping.get(" ".join(name.split()))
    if target is None:
        return name
    if target == 0:
        return None
    found = model.objects.filter(pk=target).values_list(attribute, flat=True).first()
    return found if found is not None else name


def _mapped_rows(kind: str, rows: list[dict], mappings: dict, left_out: Counter) -> list:
    """The rows with the vendor's names of services, skills, levels and certifications replaced
    by ours; a row whose name is left out is dropped (counted in `left_out`)."""
    if kind == "agreements":
        services = mappings.get("services", {})
        for row in rows:
            if row.get("services"):
                names = [
                    _mapped_name(services, name.strip(), Service)
                    for name in row["services"].replace("|", ";").replace(",", ";").split(";")
                    if name.strip()
                ]
                row["services"] = "; ".join(name for name in names if name)
        return rows
    if kind == "technician_skills":
        kept = []
        for row in rows:
            skill = _mapped_name(mappings.get("skills", {}), row.get("skill", ""), Skill)
            if skill is None:
                left_out[kind] += 1
                continue
            row["skill"] = skill
            level = mappings.get("skill_levels", {}).get(" ".join(row.get("level", "").split()))
            if level:
                row["level"] = str(level)
            kept.append(row)
        return kept
    if kind == "certifications":
        kept = []
        for row in rows:
            name = _mapped_name(
                mappings.get("certifications", {}), row.get("certification", ""), Certification
            )
            if name is None:
                left_out[kind] += 1
                continue
            row["certification"] = name
            kept.append(row)
        return kept
    return rows


def _prepared(connection: Connection, records) -> Prepared:
    rows = {kind: [dict(row) for row in kind_rows] for kind, kind_rows in records.rows.items()}
    prepared = Prepared(rows={}, external_ids={})
    # Renames first: what the vendor renamed is matched under the name Covered has, so that the
    # preview shows it as the same object; the new name is written with the sync.
    for kind, keys in RENAMED_KEYS.items():
        for model, key, column, scope in keys:
            kind_rows = rows.get(kind, [])
            spelled = _renamed(
                connection, model, key, kind_rows, records.external_ids.get(kind, []), scope=scope
            )
            for instance, old, new, index in spelled:
                prepared.renames.append((instance, key, new))
                kind_rows[index][key] = old
                if column is None:
                    continue
                for other_kind, other_rows in rows.items():
                    if other_kind == kind:
                        continue
                    for row in other_rows:
                        if row.get(column, "").strip().casefold() == new.casefold():
                            row[column] = old
    for kind in IMPORT_ORDER:
        if kind not in rows:
            continue
        ids = list(records.external_ids.get(kind, []))
        if kind in ("technician_skills", "certifications"):
            ids = []
        kept = _mapped_rows(kind, rows[kind], connection.mappings, prepared.left_out)
        prepared.rows[kind] = kept
        prepared.external_ids[kind] = ids if len(ids) == len(kept) else []
    return prepared


def _nothing_listed_notes(connection: Connection, prepared: Prepared) -> list[str]:
    """Says so when the RMM listed sites but no software on any of them: more likely a fault on
    its side than every client wiped clean, so no environment is replaced by nothing."""
    if ENVIRONMENTS not in connection.syncs or ENVIRONMENTS not in connection.vendor.syncs:
        return []
    if prepared.rows.get(ENVIRONMENT_KIND) or not prepared.rows.get(CLIENTS_KIND):
        return []
    return [
        f"{connection.vendor.label} listed no software on any site: every client's environment "
        "was left as it was."
    ]


def _renamed(
    connection, model, key: str, rows: list[dict], external_ids: list[str], *, scope=None
) -> list:
    """(object, its key now, the vendor's new key, the row's index) of the objects the vendor
    renamed: its id is known, its key differs, and no other object has the new key (within the
    same `scope`, a client's contacts or agreements). A title is not an agreement's key when the
    row gives a reference (the import matches on that)."""
    if len(rows) != len(external_ids):
        return []
    refs = dict(
        ExternalRef.objects.filter(
            connection=connection,
            content_type=ContentType.objects.get_for_model(model),
            external_id__in=external_ids,
        ).values_list("external_id", "object_id")
    )
    objects = model.objects.in_bulk(refs.values())
    renames = []
    for index, (row, external_id) in enumerate(zip(rows, external_ids, strict=True)):
        instance = objects.get(refs.get(external_id))
        new = " ".join(row.get(key, "").split())
        if instance is None or not new:
            continue
        if model is Agreement and key == "title" and row.get("reference", "").strip():
            continue
        old = getattr(instance, key)
        if old.casefold() == new.casefold():
            continue
        taken = model.objects.annotate(lowered=Lower(key)).filter(lowered=new.casefold())
        if scope is not None:
            taken = taken.filter(**{f"{scope}_id": getattr(instance, f"{scope}_id")})
        if not taken.exclude(pk=instance.pk).exists():
            renames.append((instance, old, new, index))
    return renames


def _batches_create(run: SyncRun, prepared: Prepared) -> dict:
    """An import batch per kind, previewed; the environment replaces each synced client's
    (what the RMM no longer lists is removed), and clients of the same sync are created."""
    connection = run.connection
    client_names = {
        " ".join(row.get("name", "").split()).casefold() for row in prepared.rows.get("clients", [])
    }
    # The run names its batches as they are made: a failure cleans up those made so far.
    batches = run.batches = {}
    for kind, rows in prepared.rows.items():
        if not rows:
            continue
        options = {"sync_run": run.pk, "connection": connection.pk}
        if kind == "environment":
            options["replace_environment"] = True
            options["created_clients"] = sorted(
                {
                    normalised(row["client"])
                    for row in rows
                    if row.get("client", "").casefold() in client_names
                }
            )
            # Every synced client's environment is replaced, also one the vendor now lists
            # nothing for.
            options["replaced_clients"] = sorted(client_names)
        batch = imports.import_batch_from_rows(
            user=connection.service_user,
            kind=kind,
            name=f"{connection.name} {kind} {run.started_at:%Y-%m-%d %H%M}",
            rows=rows,
            options=options,
        )
        batches[kind] = {"batch": batch.pk, "external_ids": prepared.external_ids.get(kind, [])}
    imports.import_batches_preview(batches=_run_batches(run))
    # The renames are kept with the run: a run confirmed later writes them too.
    batches["renames"] = [
        [type(instance)._meta.label_lower, instance.pk, key, new]
        for instance, key, new in prepared.renames
    ]
    return batches


def _run_batches(run: SyncRun) -> list[ImportBatch]:
    ids = {entry["batch"]: kind for kind, entry in run.batches.items() if kind != "renames"}
    found = ImportBatch.objects.in_bulk(ids)
    order = {kind: index for index, kind in enumerate(IMPORT_ORDER)}
    return sorted(found.values(), key=lambda batch: order.get(batch.kind, 99))


def _counts(run: SyncRun) -> None:
    counts = {}
    for batch in _run_batches(run):
        preview = batch.preview or {}
        kind_counts = {key: preview.get("counts", {}).get(key, 0) for key in COUNTED}
        kind_counts["skipped"] += sum(
            entry["rows"]
            for name in ("unknown_products", "unknown_clients", "unknown_versions")
            for entry in preview.get(name, [])
        )
        counts[batch.kind] = kind_counts
    # Why rows are left out, in the import's words ("Row 3, client: …"), the first of them.
    reasons = [
        error
        for batch in _run_batches(run)
        for row in (batch.preview or {}).get("rows", [])
        if row["status"] == "error"
        for error in row["errors"]
    ]
    left_out = [f"Left out: {reason}" for reason in reasons[:MAX_REASONS]]
    if len(reasons) > MAX_REASONS:
        left_out.append(f"… and {len(reasons) - MAX_REASONS} more rows left out.")
    run.notes = [note for note in run.notes if not note.startswith(("Left out:", "… and"))]
    run.notes += left_out
    kinds = {model._meta.label_lower: kind for kind, model in REF_MODELS.items()}
    renamed = Counter(kinds.get(label) for label, *_ in run.batches.get("renames", []))
    for kind, count in renamed.items():
        if kind in counts:
            counts[kind]["renamed"] = count
    run.counts = counts
    run.save(update_fields=["counts", "notes"])


def _review_reasons(run: SyncRun, prepared: Prepared) -> list[str]:
    """Why the run waits for a person: the connection's first sync, or one that would remove
    more than SYNC_REVIEW_REMOVALS_PERCENT of a kind's rows or of one client's environment."""
    connection = run.connection
    limit = settings.SYNC_REVIEW_REMOVALS_PERCENT
    reasons = []
    if not connection_has_applied(connection):
        reasons.append("This is the connection's first sync: check its preview, then confirm it.")
    for kind, model in REF_MODELS.items():
        if kind not in prepared.rows:
            continue
        kept = set(
            ExternalRef.objects.filter(
                connection=connection, content_type=ContentType.objects.get_for_model(model)
            ).values_list("external_id", flat=True)
        )
        gone = kept - set(prepared.external_ids.get(kind, []))
        if kept and len(gone) * 100 > limit * len(kept):
            reasons.append(
                f"{connection.vendor.label} no longer lists {len(gone)} of the {len(kept)} "
                f"{model._meta.verbose_name_plural} it gave before."
            )
    environment = run.batches.get("environment")
    if environment:
        batch = ImportBatch.objects.get(pk=environment["batch"])
        removed = {
            int(pk): count for pk, count in batch.preview.get("removed_per_client", {}).items()
        }
        if removed:
            having = dict(
                ClientTechnology.objects.filter(client_id__in=removed)
                .values_list("client")
                .annotate(count=models.Count("pk"))
            )
            names = dict(Client.objects.filter(pk__in=removed).values_list("pk", "name"))
            for pk, count in sorted(removed.items()):
                if count * 100 > limit * having.get(pk, 0):
                    reasons.append(
                        f"It would remove {count} of the {having.get(pk, 0)} rows of "
                        f"{names.get(pk, '?')}'s environment."
                    )
            total = ClientTechnology.objects.filter(client_id__in=removed).count()
            if len(removed) > 1 and sum(removed.values()) * 100 > limit * total:
                reasons.append(
                    f"It would remove {sum(removed.values())} of the {total} environment rows "
                    "of the synced clients."
                )
    return reasons


def _apply(run: SyncRun) -> SyncRun:
    """Every batch of the run, the renames and the vendor ids, in one transaction."""
    connection = run.connection
    batches = _run_batches(run)
    user = connection.service_user

    def after():
        _refs_write(run, batches)
        _renames_write(run, user)

    try:
        imports.import_batches_write(batches=batches, user=user, after=after)
    except ValidationError as refused:
        return _failed(run, f"The sync wrote nothing: {' '.join(refused.messages)}")
    except Exception:
        logger.exception("Sync %s of connection %s failed at the write", run.pk, connection.pk)
        return _failed(run, "The sync failed while writing and wrote nothing.")
    # The counts of what was written, as each kind was planned in turn.
    _counts(run)
    return _finish(run, SyncRun.Status.APPLIED)


def _renames_write(run: SyncRun, user) -> None:
    for label, pk, key, new in run.batches.get("renames", []):
        model = {
            model._meta.label_lower: model
            for keys in RENAMED_KEYS.values()
            for model, _, _, _ in keys
        }[label]
        instance = model.objects.filter(pk=pk).first()
        if instance is None:
            continue
        setattr(instance, key, new)
        instance._history_user = user
        instance.full_clean(validate_constraints=False, validate_unique=False)
        instance.save()


def _refs_write(run: SyncRun, batches: list[ImportBatch]) -> None:
    """Keep each synced object's vendor id, and which of its fields the vendor gives (they are
    read-only in the forms). Written before the renames: the objects are found by the keys the
    rows name, which are the keys Covered has."""
    by_kind = {batch.kind: batch for batch in batches}
    for kind, model in REF_MODELS.items():
        entry = run.batches.get(kind)
        if not entry or not entry["external_ids"] or kind not in by_kind:
            continue
        rows = _batch_rows(by_kind[kind])
        finder = _finders()[kind]
        content_type = ContentType.objects.get_for_model(model)
        field_names = {field.name for field in model._meta.get_fields()}
        for row, external_id in zip(rows, entry["external_ids"], strict=False):
            instance = finder(row)
            if instance is None:
                continue
            ExternalRef.objects.update_or_create(
                connection=run.connection,
                content_type=content_type,
                external_id=external_id[:200],
                defaults={
                    "object_id": instance.pk,
                    "fields": sorted((set(row) & field_names) - {"client"}),
                },
            )


def _batch_rows(batch: ImportBatch) -> list[dict[str, str]]:
    with batch.file.open("rb") as stored:
        text = stored.read().decode()
    return list(csv.DictReader(io.StringIO(text)))


def _finders():
    def client(row):
        name = " ".join(row.get("name", "").split()).casefold()
        found = Client.objects.annotate(lowered=Lower("name")).filter(lowered=name).first()
        if found is None:
            alias = ClientAlias.objects.annotate(lowered=Lower("name")).filter(lowered=name).first()
            found = alias.client if alias else None
        return found

    def technician(row):
        email = row.get("email", "").strip().casefold()
        return Technician.objects.annotate(lowered=Lower("email")).filter(lowered=email).first()

    def contact(row):
        found = client({"name": row.get("client", "")})
        if found is None:
            return None
        contacts = Contact.objects.filter(client=found)
        if row.get("email"):
            return contacts.filter(email__iexact=row["email"].strip()).first()
        return contacts.filter(name__iexact=row.get("name", "").strip()).first()

    def agreement(row):
        reference = row.get("reference", "").strip()
        if reference:
            return Agreement.objects.filter(reference__iexact=reference).first()
        found = client({"name": row.get("client", "")})
        if found is None:
            return None
        return Agreement.objects.filter(client=found, title__iexact=row.get("title", "")).first()

    return {
        "clients": client,
        "technicians": technician,
        "contacts": contact,
        "agreements": agreement,
    }
