"""Stored files that no row names any more: a request that fails after saving its file rolls
back the row (each request is one transaction) but not the file, which a daily job then removes."""

import datetime
import posixpath

from django.db import models
from django.utils import timezone

# A file younger than this may belong to a request still under way.
UNNAMED_FILE_AGE = datetime.timedelta(days=1)


def unnamed_files_delete(model: type[models.Model], field_name: str) -> list[str]:
    """Delete the files under `field_name`'s upload folder, older than UNNAMED_FILE_AGE, that no
    row of `model` names; the names deleted."""
    field = model._meta.get_field(field_name)
    storage = field.storage
    folder = field.upload_to.split("/", 1)[0]
    if not storage.exists(folder):
        return []
    named = set(model.objects.exclude(**{field_name: ""}).values_list(field_name, flat=True))
    cutoff = timezone.now() - UNNAMED_FILE_AGE
    deleted = []
    for name in _stored_files(storage, folder):
        if name not in named and storage.get_modified_time(name) < cutoff:
            storage.delete(name)
            deleted.append(name)
    return deleted


def _stored_files(storage, folder: str):
    folders, files = storage.listdir(folder)
    for name in files:
        yield posixpath.join(folder, name)
    for name in folders:
        yield from _stored_files(storage, posixpath.join(folder, name))
