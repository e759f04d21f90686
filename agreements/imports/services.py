"""An import, step by step: upload (the file kept in the default storage), preview (nothing
written), the choices of the preview page (column mapping, date order, unknown products), and
confirm (everything in one transaction, or nothing). agreements/imports/flow.py chains these
steps and decides which of them run on the worker."""

import csv
import io
import logging
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from agreements.coverage.checks import IMPORT_CHANGE, coverage_data_touch
from agreements.coverage.impact import changes_note
from agreements.imports import cell_values
from agreements.imports.kinds import KINDS, Context, Plan
from agreements.imports.kinds.base import ERROR
from agreements.imports.models import ImportBatch, ImportMappingPreset
from agreements.imports.tables import FileRefused, Table, read_table
from agreements.models import Agreement
from agreements.services import requirements_sync_for_agreements
from core.files import unnamed_files_delete
from skills.selectors import product_matcher

DATE_KEYS = {
    "available_until",
    "last_used",
    "earned_on",
    "expires_on",
    "start_date",
    "end_date",
    "first_day",
    "last_day",
}
PROGRESS_EVERY = 500
logger = logging.getLogger(__name__)


def header_key(text: str) -> str:
    """A column name as it is compared: "Company_Name" and "company name" are the same."""
    return " ".join(re.sub(r"[^0-9a-z]+", " ", text.casefold()).split())


def recognised_mapping(kind_key: str, headers: list[str]) -> list[str]:
    """For each column of the file, the field it holds ("" when none): the export's own column
    names and the usual names of PSA and RMM exports; each field taken once, by its first
    column."""
    kind = KINDS[kind_key]
    names = {}
    for column in kind.columns:
        for name in (kind.headers()[column.key], column.key, *column.synonyms):
            names.setdefault(header_key(name), column.key)
    taken = set()
    mapping = []
    for header in headers:
        key = names.get(header_key(header), "")
        mapping.append("" if key in taken else key)
        taken.add(key)
    return mapping


def kind_fit(kind_key: str, headers: list[str]) -> tuple[bool, int]:
    """How well a file's columns fit a kind: whether every required field has a column, and
    how many columns the kind recognises."""
    mapped = set(recognised_mapping(kind_key, headers)) - {""}
    return set(KINDS[kind_key].required()) <= mapped, len(mapped)


def better_kind(kind_key: str, headers: list[str]) -> str | None:
    """Another kind whose columns the file fits better than `kind_key`'s (all its required
    columns, and more columns recognised), to offer instead; None when the choice fits best."""
    chosen = kind_fit(kind_key, headers)
    fits = {other: kind_fit(other, headers) for other in KINDS if other != kind_key}
    best = max(fits, key=lambda other: fits[other][1], default=None)
    if best is None or not fits[best][0] or fits[best] <= chosen:
        return None
    return best


def preset_for(kind_key: str, headers: list[str]) -> ImportMappingPreset | None:
    """A saved preset made for files with exactly these columns."""
    wanted = {header_key(header) for header in headers if header}
    for preset in ImportMappingPreset.objects.filter(kind=kind_key).order_by("-updated_at"):
        if set(preset.mapping) == wanted:
            return preset
    return None


def mapping_from_preset(preset: ImportMappingPreset, headers: list[str]) -> list[str]:
    return [preset.mapping.get(header_key(header), "") for header in headers]


# ------------------------------------------------------------------------------ upload


def import_batch_upload(
    *, user, kind: str, filename: str, data: bytes, date_order: str = "", preset=None
) -> ImportBatch:
    """Check and keep the uploaded file, as a batch waiting for its preview. ValidationError
    with a plain-words message when the file cannot be imported."""
    # A preset was made for one kind of file: choosing it chooses that kind.
    kind = preset.kind if preset is not None else kind
    if kind not in KINDS:
        raise ValidationError({"kind": "Choose what the file holds."})
    try:
        table = read_table(data, filename=filename)
    except FileRefused as refused:
        raise ValidationError({"file": str(refused)}) from None
    preset = preset or preset_for(kind, table.header)
    mapping = (
        mapping_from_preset(preset, table.header)
        if preset
        else recognised_mapping(kind, table.header)
    )
    better = None if preset else better_kind(kind, table.header)
    # A file that fits another kind is kept, so that its preview can offer that kind.
    if not any(mapping) and not better:
        known = ", ".join(KINDS[kind].headers().values())
        raise ValidationError(
            {
                "file": "The first row of the file names no column Covered knows for "
                f"{KINDS[kind].label.lower()}: it should name columns such as {known}."
            }
        )
    batch = ImportBatch(
        kind=kind,
        filename=filename[:255],
        created_by=user,
        rows_total=len(table.rows),
        options={
            "mapping": mapping,
            "date_order": date_order or settings.IMPORT_DATE_ORDER,
            "replace_environment": False,
            "ignored_products": [],
            "preset": preset.name if preset else "",
            "suggested_kind": better or "",
        },
    )
    batch.file.save(_stored_name(filename), ContentFile(data), save=False)
    try:
        batch.save()
    except Exception:
        batch.file.delete(save=False)
        raise
    return batch


def import_batch_from_rows(
    *, user, kind: str, name: str, rows: list[dict[str, str]], options: dict | None = None
) -> ImportBatch:
    """A batch of rows read elsewhere (a connection's sync, agreements/connectors/), kept as a
    CSV file headed by the kind's field keys, so that its preview, the choices of the preview
    page and its write are a file import's. FileRefused when the rows pass the file limits."""
    keys = [column.key for column in KINDS[kind].columns if any(column.key in row for row in rows)]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(keys)
    writer.writerows([row.get(key, "") for key in keys] for row in rows)
    data = text.getvalue().encode()
    filename = f"{name}.csv"
    table = read_table(data, filename=filename)
    batch = ImportBatch(
        kind=kind,
        filename=filename[:255],
        created_by=user,
        rows_total=len(table.rows),
        options={
            "mapping": recognised_mapping(kind, table.header),
            "date_order": settings.IMPORT_DATE_ORDER,
            "replace_environment": False,
            "ignored_products": [],
            "preset": "",
            "suggested_kind": "",
            **(options or {}),
        },
    )
    batch.file.save(_stored_name(filename), ContentFile(data), save=False)
    batch.save()
    return batch


def _stored_name(filename: str) -> str:
    stem = re.sub(r"[^0-9A-Za-z._-]+", "-", filename)[-80:].lstrip(".-") or "upload"
    return stem


def import_batch_preview_reset(*, batch: ImportBatch) -> ImportBatch:
    """Mark the batch as waiting for its preview, which starts over from the first row."""
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=ImportBatch.State.PREVIEWING, rows_done=0, message=""
    )
    batch.state = ImportBatch.State.PREVIEWING
    return batch


# ------------------------------------------------------------------------------ preview


def _table(batch: ImportBatch) -> Table:
    try:
        with batch.file.open("rb") as stored:
            data = stored.read()
    except (OSError, ValueError):
        raise FileRefused("The uploaded file is no longer kept; upload it again.") from None
    return read_table(data, filename=batch.filename)


def _context(batch: ImportBatch, *, user=None, on_progress=None) -> Context:
    options = batch.options
    return Context(
        matcher=product_matcher(),
        date_order=options.get("date_order") or settings.IMPORT_DATE_ORDER,
        replace_environment=bool(options.get("replace_environment")),
        ignored_products=set(options.get("ignored_products", [])),
        ignored_versions=set(options.get("ignored_versions", [])),
        versionless=set(options.get("versionless", [])),
        ignored_clients=set(options.get("ignored_clients", [])),
        created_clients=set(options.get("created_clients", [])),
        replaced_clients=set(options.get("replaced_clients", [])),
        synced=bool(options.get("sync_run")),
        user=user,
        on_progress=on_progress,
    )


def _records(table: Table, mapping: list[str]) -> list[tuple[int, dict[str, str]]]:
    # Row 1 is the header, so the first data row is row 2, as a spreadsheet numbers it.
    columns = [
        (index, key) for index, key in enumerate(mapping) if key and index < len(table.header)
    ]
    return [
        (number, {key: row[index] for index, key in columns})
        for number, row in enumerate(table.rows, start=2)
    ]


def _progress(batch: ImportBatch):
    def report(done: int) -> None:
        if done % PROGRESS_EVERY == 0:
            ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done)

    return report


def _plan(batch: ImportBatch, *, user=None) -> tuple[Plan | None, dict]:
    """The plan of the batch's file with its options, and what the preview page shows."""
    kind = KINDS[batch.kind]
    table = _table(batch)
    mapping = (batch.options.get("mapping") or [])[: len(table.header)]
    mapping += [""] * (len(table.header) - len(mapping))
    mapped = set(mapping) - {""}
    missing = [kind.headers()[key] for key in kind.required() if key not in mapped]
    records = _records(table, mapping)
    summary = {
        "format": table.file_format,
        "headers": table.header,
        "mapping": mapping,
        "missing": missing,
        "ambiguous_dates": any(
            cell_values.is_ambiguous_date(cells.get(key, ""))
            for _, cells in records
            for key in DATE_KEYS & mapped
        ),
    }
    if missing:
        return None, {
            **summary,
            "rows": [],
            "counts": {},
            "unknown_products": [],
            "unknown_versions": [],
            "unknown_clients": [],
        }
    plan = kind.plan(records, _context(batch, user=user, on_progress=_progress(batch)))
    return plan, {
        **summary,
        "rows": plan.rows,
        "counts": plan.counts(),
        "unknown_products": sorted(
            plan.unknown_products.values(), key=lambda entry: (-entry["rows"], entry["name"])
        ),
        "unknown_clients": sorted(
            plan.unknown_clients.values(), key=lambda entry: (-entry["rows"], entry["name"])
        ),
        "unknown_versions": sorted(
            plan.unknown_versions.values(),
            key=lambda entry: (-entry["rows"], entry["name"], entry["version"]),
        ),
        # JSON keys are text: {client id: environment rows the write would remove}.
        "removed_per_client": {str(pk): count for pk, count in plan.removed_per_client.items()},
    }


def import_batch_preview(*, batch: ImportBatch) -> ImportBatch:
    """Read the whole file against the database and keep the outcome of every row; writes
    nothing but the batch."""
    try:
        _plan_result, preview = _plan(batch)
    except FileRefused as refused:
        return _refused(batch, str(refused))
    batch.state, batch.message, batch.preview = ImportBatch.State.READY, "", preview
    batch.rows_done = batch.rows_total
    batch.save(update_fields=["state", "message", "preview", "rows_done", "updated_at"])
    return batch


def _refused(batch: ImportBatch, text: str) -> ImportBatch:
    """The batch failed with the reason, and its file is no longer kept: a refused file is
    not read again."""
    batch.file.delete(save=False)
    batch.state, batch.message, batch.preview = ImportBatch.State.FAILED, text, {}
    batch.rows_done = batch.rows_total
    batch.save(update_fields=["file", "state", "message", "preview", "rows_done", "updated_at"])
    return batch


def confirm_refusal(batch: ImportBatch) -> str:
    """Why the batch cannot be imported as it stands; "" when it can."""
    preview = batch.preview or {}
    if batch.state == ImportBatch.State.IMPORTED:
        return "This file was already imported."
    if batch.state != ImportBatch.State.READY:
        return "The preview is not ready yet."
    if batch.options.get("sync_run"):
        return "This preview is part of a sync: confirm it on its connection's page."
    if preview.get("missing"):
        return f"Say which column holds {', '.join(preview['missing'])} first."
    return ""


def rows_left_out(preview: dict) -> list[int]:
    """The rows of the file that cannot be read (a missing required cell, a bad number or
    date), which confirming leaves out."""
    return [row["row"] for row in preview.get("rows", []) if row["status"] == ERROR]


# ------------------------------------------------------------------------------ choices


def import_batch_options_change(
    *, batch: ImportBatch, mapping: list[str] | None = None, **options
) -> ImportBatch:
    """Change the column mapping, the date order, "replace this client's environment" or the
    products left out (flow.import_batch_options_set previews again)."""
    if batch.state in (ImportBatch.State.IMPORTED, ImportBatch.State.IMPORTING):
        raise ValidationError("This file is already being imported.")
    if mapping is not None:
        allowed = {column.key for column in KINDS[batch.kind].columns}
        chosen = [key for key in mapping if key]
        if set(chosen) - allowed:
            raise ValidationError("Choose the fields among those offered.")
        duplicates = {key for key in chosen if chosen.count(key) > 1}
        if duplicates:
            headers = KINDS[batch.kind].headers()
            raise ValidationError(
                f"Only one column can hold {', '.join(headers[key] for key in sorted(duplicates))}."
            )
        batch.options["mapping"] = list(mapping)
    batch.options.update(options)
    batch.save(update_fields=["options", "updated_at"])
    return batch


def import_batch_kind_change(*, batch: ImportBatch, kind: str) -> ImportBatch:
    """Read the batch's file as another kind (the one its columns fit), with the columns
    recognised for that kind (flow.import_batch_kind_set previews again)."""
    if batch.state in (ImportBatch.State.IMPORTED, ImportBatch.State.IMPORTING):
        raise ValidationError("This file is already being imported.")
    if kind not in KINDS:
        raise ValidationError("Choose what the file holds.")
    batch.kind = kind
    batch.options.update(
        mapping=recognised_mapping(kind, _table(batch).header), suggested_kind="", preset=""
    )
    batch.save(update_fields=["kind", "options", "updated_at"])
    return batch


def import_preset_save(*, batch: ImportBatch, name: str) -> ImportMappingPreset:
    """Keep the batch's column mapping under `name`, for the next file with these columns."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the preset a name."})
    headers = batch.preview.get("headers", [])
    mapping = batch.options.get("mapping", [])
    preset, _ = ImportMappingPreset.objects.update_or_create(
        kind=batch.kind,
        name=name[:100],
        defaults={
            "mapping": {
                header_key(header): key
                for header, key in zip(headers, mapping, strict=False)
                if header
            }
        },
    )
    batch.options["preset"] = preset.name
    batch.save(update_fields=["options", "updated_at"])
    return preset


# ------------------------------------------------------------------------------ confirm


def import_batch_confirm_claim(*, batch: ImportBatch) -> ImportBatch:
    """Mark the previewed batch as importing, under a lock so that two confirms cannot both
    claim it. ValidationError when the preview is not ready or the batch was imported already;
    rows that cannot be read do not stop it (they are left out)."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        refusal = confirm_refusal(batch)
        if refusal:
            raise ValidationError(refusal)
        batch.state, batch.rows_done = ImportBatch.State.IMPORTING, 0
        batch.save(update_fields=["state", "rows_done", "updated_at"])
    return batch


def import_batch_confirm(*, batch: ImportBatch, user) -> ImportBatch:
    """Write the whole file but the rows that cannot be read, in one transaction: any failure
    leaves everything as it was, and the batch back at its preview with the reason."""
    try:
        # Read again first, outside the transaction, so that the progress bar moves; then
        # every write in one transaction.
        plan, preview = _plan(batch, user=user)
        if plan is None or not set(rows_left_out(preview)) <= set(
            rows_left_out(batch.preview or {})
        ):
            raise ValidationError(
                "The data changed since the preview and some rows no longer import; "
                "look at the preview again."
            )
        with transaction.atomic():
            plan.write()
            agreements = Agreement.objects.filter(client_id__in=plan.clients_with_new_environment)
            agreements |= Agreement.objects.filter(pk__in=plan.agreements_touched)
            if plan.writes:
                requirements_sync_for_agreements(agreements=agreements)
                coverage_data_touch(kind=IMPORT_CHANGE)
                changes_note(
                    client_ids=plan.clients_with_new_environment,
                    agreement_ids=plan.agreements_touched,
                )
    except FileRefused as refused:
        return _refused(batch, str(refused))
    except ValidationError as refused:
        return _back_to_preview(batch, " ".join(refused.messages))
    except Exception as failure:
        # Whatever went wrong, the transaction undid every write: say so, keep the preview.
        logger.exception("Import %s failed", batch.pk)
        return _back_to_preview(batch, f"The import failed and wrote nothing ({failure}).")
    # The batch's record keeps the rows left out, with why, beside what was written.
    preview["left_out"] = rows_left_out(preview)
    batch.state, batch.preview = ImportBatch.State.IMPORTED, preview
    batch.rows_done, batch.imported_at = batch.rows_total, timezone.now()
    batch.save(update_fields=["state", "preview", "rows_done", "imported_at", "updated_at"])
    return batch


def import_batches_write(*, batches: list[ImportBatch], user, after=None) -> list[ImportBatch]:
    """Write several previewed batches in one transaction, each planned again after the ones
    before it are written (the clients before the environment that names them), the derived
    requirements synced and coverage marked changed once; `after()` runs last inside the
    transaction. Any failure undoes every write and is raised; the batches stay at their
    preview. Rows that cannot be read are left out, as a file import leaves them."""
    previews = []
    with transaction.atomic():
        clients, agreements_touched, written = set(), set(), False
        for batch in batches:
            plan, preview = _plan(batch, user=user)
            if plan is None:
                raise ValidationError(f"{batch.filename}: {', '.join(preview['missing'])}")
            plan.write()
            written = written or bool(plan.writes)
            clients |= plan.clients_with_new_environment
            agreements_touched |= plan.agreements_touched
            preview["left_out"] = rows_left_out(preview)
            previews.append(preview)
        if after is not None:
            after()
        if written:
            agreements = Agreement.objects.filter(client_id__in=clients)
            agreements |= Agreement.objects.filter(pk__in=agreements_touched)
            requirements_sync_for_agreements(agreements=agreements)
            coverage_data_touch(kind=IMPORT_CHANGE)
            changes_note(client_ids=clients, agreement_ids=agreements_touched)
        now = timezone.now()
        for batch, preview in zip(batches, previews, strict=True):
            batch.state, batch.preview = ImportBatch.State.IMPORTED, preview
            batch.rows_done, batch.imported_at = batch.rows_total, now
            batch.save(update_fields=["state", "preview", "rows_done", "imported_at", "updated_at"])
    return batches


class _DryRun(Exception):
    """Raised to undo the writes of a preview of several batches."""


def import_batches_preview(*, batches: list[ImportBatch]) -> list[ImportBatch]:
    """Preview several batches as import_batches_write would write them: each planned after
    the ones before it are written (contacts naming clients of the same sync), inside a
    transaction that is then undone, so that nothing is written but the batches' previews."""
    previews = {}
    try:
        with transaction.atomic():
            for batch in batches:
                plan, previews[batch.pk] = _plan(batch)
                if plan is not None:
                    plan.write()
            raise _DryRun
    except _DryRun:
        pass
    for batch in batches:
        batch.state, batch.message, batch.preview = ImportBatch.State.READY, "", previews[batch.pk]
        batch.rows_done = batch.rows_total
        batch.save(update_fields=["state", "message", "preview", "rows_done", "updated_at"])
    return batches


def _back_to_preview(batch: ImportBatch, text: str) -> ImportBatch:
    batch.state, batch.message = ImportBatch.State.READY, text
    batch.save(update_fields=["state", "message", "updated_at"])
    return batch


# ------------------------------------------------------------------------------ cleanup


def orphan_uploads_delete() -> list[str]:
    """Delete the stored uploads older than a day that no batch names (a request that failed
    after storing its file leaves one behind); the names deleted."""
    return unnamed_files_delete(ImportBatch, "file")
