"""An import's steps as the pages take them: each write of services.py, then the preview or the
import itself, in the request for a short file and on the worker for a long one. What runs on
the worker is decided here only, so that services.py never imports the tasks that call it.
Tasks are queued once the request's transaction commits, so the worker finds the batch in the
state the request left it in."""

from django.conf import settings

from agreements.imports import services, tasks
from agreements.imports.kinds.environments import unknown_version_key
from agreements.imports.models import ImportBatch
from clients.models import Client
from clients.services import client_alias_create
from skills.aliases import normalised
from skills.models import Skill, SkillVersion
from skills.services import skill_alias_create


def runs_in_background(batch: ImportBatch) -> bool:
    return batch.rows_total > settings.IMPORT_BACKGROUND_ROWS


def import_batch_preview_start(*, batch: ImportBatch) -> ImportBatch:
    """Preview now, or queue the preview when the file is long (the page shows its progress)."""
    services.import_batch_preview_reset(batch=batch)
    if runs_in_background(batch):
        tasks.import_preview.delay_on_commit(batch.pk)
    else:
        services.import_batch_preview(batch=batch)
    return batch


def import_batch_create(
    *, user, kind: str, filename: str, data: bytes, date_order: str = "", preset=None
) -> ImportBatch:
    """Check and keep the uploaded file, then preview it (now, or on the worker for a long
    file). ValidationError with a plain-words message when the file cannot be imported."""
    batch = services.import_batch_upload(
        user=user, kind=kind, filename=filename, data=data, date_order=date_order, preset=preset
    )
    return import_batch_preview_start(batch=batch)


def import_batch_options_set(
    *, batch: ImportBatch, mapping: list[str] | None = None, **options
) -> ImportBatch:
    """Change the column mapping or the date order or "replace this client's environment",
    then preview again."""
    services.import_batch_options_change(batch=batch, mapping=mapping, **options)
    return import_batch_preview_start(batch=batch)


def import_batch_kind_set(*, batch: ImportBatch, kind: str) -> ImportBatch:
    """Read the file as another kind, then preview it again."""
    services.import_batch_kind_change(batch=batch, kind=kind)
    return import_batch_preview_start(batch=batch)


def import_product_map(
    *, batch: ImportBatch, name: str, skill: Skill, version: SkillVersion | None = None
) -> ImportBatch:
    """Say that the unknown product `name` is `skill` (at `version`): a new alias, then the
    preview again."""
    skill_alias_create(skill=skill, pattern=name, version=version)
    return import_batch_preview_start(batch=batch)


def import_product_ignore(*, batch: ImportBatch, name: str) -> ImportBatch:
    ignored = set(batch.options.get("ignored_products", []))
    ignored.add(normalised(name))
    return import_batch_options_set(batch=batch, ignored_products=sorted(ignored))


def import_version_map(
    *, batch: ImportBatch, name: str, version_label: str, version: SkillVersion
) -> ImportBatch:
    """Say that the product `name` with `version_label` in the version column (a build number)
    is `version`: an alias with that version, remembered for the next files, then the preview
    again."""
    skill_alias_create(skill=version.skill, pattern=f"{name} {version_label}", version=version)
    return import_batch_preview_start(batch=batch)


def import_version_choose(
    *, batch: ImportBatch, name: str, version_label: str, without_version: bool
) -> ImportBatch:
    """Import the rows of an unknown version without a version, or leave them out."""
    option = "versionless" if without_version else "ignored_versions"
    chosen = set(batch.options.get(option, []))
    chosen.add(unknown_version_key(name, version_label))
    return import_batch_options_set(batch=batch, **{option: sorted(chosen)})


def import_client_map(*, batch: ImportBatch, name: str, client: Client) -> ImportBatch:
    """Say that the client name `name` of the file is `client`: remembered for the next files,
    then the preview again."""
    client_alias_create(client=client, name=name)
    return import_batch_preview_start(batch=batch)


def import_client_choose(*, batch: ImportBatch, name: str, create: bool) -> ImportBatch:
    """Create the unknown client `name` when the file is confirmed, or leave its rows out."""
    option = "created_clients" if create else "ignored_clients"
    chosen = set(batch.options.get(option, []))
    chosen.add(normalised(name))
    return import_batch_options_set(batch=batch, **{option: sorted(chosen)})


def import_batch_confirm_start(*, batch: ImportBatch, user) -> ImportBatch:
    """Import the previewed file but the rows that cannot be read: now, or on the worker for a
    long file. ValidationError when the preview is not ready or the batch was imported
    already."""
    batch = services.import_batch_confirm_claim(batch=batch)
    if runs_in_background(batch):
        tasks.import_confirm.delay_on_commit(batch.pk, user.pk)
        return batch
    return services.import_batch_confirm(batch=batch, user=user)
