"""Long imports run on the worker: the file is read from the default storage, which the web and
worker processes share. Safe to run twice: a batch no longer waiting is left alone."""

from celery import shared_task
from django.contrib.auth import get_user_model

from agreements.imports.models import ImportBatch
from agreements.imports.services import (
    import_batch_confirm,
    import_batch_preview,
    orphan_uploads_delete,
)


@shared_task(name="imports.preview")
def import_preview(batch_id: int) -> None:
    batch = ImportBatch.objects.filter(pk=batch_id, state=ImportBatch.State.PREVIEWING).first()
    if batch is not None:
        import_batch_preview(batch=batch)


@shared_task(name="imports.confirm")
def import_confirm(batch_id: int, user_id: int) -> None:
    batch = ImportBatch.objects.filter(pk=batch_id, state=ImportBatch.State.IMPORTING).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if batch is not None and user is not None:
        import_batch_confirm(batch=batch, user=user)


@shared_task(name="imports.delete_orphan_uploads")
def delete_orphan_uploads() -> None:
    orphan_uploads_delete()
