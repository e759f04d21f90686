from collections.abc import Mapping
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from core.models import WorkerHeartbeat


def worker_heartbeat_record(*, worker: str) -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        worker=worker, defaults={"seen_at": timezone.now()}
    )
    return heartbeat


ModelT = TypeVar("ModelT", bound=models.Model)


def model_update(*, instance: ModelT, fields: Mapping[str, Any]) -> ModelT:
    """Set editable fields on `instance`, validate the whole row and save it.

    Shared by the update services of every app; an unknown or non-editable field name is a
    programming error and raises TypeError rather than being ignored.
    """
    for name, value in fields.items():
        try:
            field = instance._meta.get_field(name)
        except FieldDoesNotExist:
            field = None
        # get_field also answers for reverse relations and attnames ("client_id").
        editable = (
            field is not None
            and field.name == name
            and field.concrete
            and field.editable
            and not field.primary_key
        )
        if not editable:
            raise TypeError(f"{type(instance).__name__} has no editable field {name!r}.")
        setattr(instance, name, value)
    if not fields:
        return instance
    # A full save: clean() may fill in derived values (e.g. a certification's expiry date).
    instance.full_clean()
    instance.save()
    return instance
