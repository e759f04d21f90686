import contextlib
import contextvars
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from core.models import CoverageSettings, WorkerHeartbeat


def worker_heartbeat_record(*, worker: str) -> WorkerHeartbeat:
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        worker=worker, defaults={"seen_at": timezone.now()}
    )
    return heartbeat


def coverage_settings_set(
    *, warning_days: int | None, min_technicians: int | None, user
) -> CoverageSettings:
    """Store the warning window and the default minimum technicians (None: the environment's);
    the next coverage check uses them."""
    values = {"warning_days": warning_days, "min_technicians": min_technicians, "updated_by": user}
    # Checked whole first; update_or_create then writes the one row even when two saves race.
    CoverageSettings(pk=CoverageSettings.SINGLETON_ID, **values).full_clean(validate_unique=False)
    stored, _ = CoverageSettings.objects.update_or_create(
        pk=CoverageSettings.SINGLETON_ID, defaults=values
    )
    return stored


ModelT = TypeVar("ModelT", bound=models.Model)


def model_create(*, model: type[ModelT], fields: Mapping[str, Any]) -> ModelT:
    """Build a `model` row from `fields`, validate it whole and save it.

    The create twin of `model_update`, shared by the create services of every app.
    """
    instance = model(**fields)
    instance.full_clean()
    instance.save()
    return instance


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


@dataclass(frozen=True)
class RowChanges:
    """What a form with inline rows asks for: the values of each new row, (row, new values) for
    each edited row, and the rows to remove. Built by core.forms.formset_changes."""

    added: Sequence[Mapping[str, Any]] = ()
    changed: Sequence[tuple[models.Model, Mapping[str, Any]]] = ()
    removed: Sequence[models.Model] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


NO_CHANGES = RowChanges()


def parent_with_rows_save(
    *,
    model: type[ModelT],
    instance: ModelT | None,
    fields: Mapping[str, Any],
    rows: Mapping[type[models.Model], RowChanges],
) -> ModelT:
    """Create (`instance` None) or update a `model` row, then apply the changes of its inline
    rows: `rows` maps each row model to its RowChanges. Run it inside a transaction."""
    if instance is None:
        instance = model_create(model=model, fields=fields)
    else:
        model_update(instance=instance, fields=fields)
    for row_model, changes in rows.items():
        parent_field = next(
            field.name
            for field in row_model._meta.fields
            if field.is_relation and field.related_model is model
        )
        row_changes_apply(changes, model=row_model, parent={parent_field: instance})
    return instance


def stored_value(instance: models.Model, field: str) -> Any:
    """The value of `field` as saved in the database, which may differ from the instance's: a
    ModelForm sets the new values on the instance before the service runs."""
    return type(instance)._default_manager.values_list(field, flat=True).get(pk=instance.pk)


def row_changes_apply(changes: RowChanges, *, model: type[models.Model], parent: dict) -> None:
    """Remove, update, then add `model` rows of one parent; `parent` names it, e.g.
    {"client": client}. Removals go first so that a replacement never meets its predecessor."""
    for row in changes.removed:
        row.delete()
    for row, fields in changes.changed:
        model_update(instance=row, fields=fields)
    for fields in changes.added:
        model_create(model=model, fields={**parent, **fields})


@contextlib.contextmanager
def history_user(user, *, reason: str = "") -> Iterator[None]:
    """Rows saved inside the block are recorded in their history as changed by `user`, with
    `reason` (e.g. "Proposed by Sam Okafor") as the change reason when given.

    The history middleware takes the user from the web request; a caller it does not see (an
    API token, a task) names the user here."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", _UNSET)
    context.request = SimpleNamespace(user=user)
    reason_token = _history_reason.set(reason[:HISTORY_REASON_LENGTH] or None)
    try:
        yield
    finally:
        _history_reason.reset(reason_token)
        if previous is _UNSET:
            del context.request
        else:
            context.request = previous


HISTORY_REASON_LENGTH = 100  # simple_history's history_change_reason column
_history_reason: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "history_reason", default=None
)


def history_reason_fill(*, history_instance, **kwargs) -> None:
    """Receiver of simple_history's pre_create_historical_record: the reason of the enclosing
    history_user block, unless the row brought its own."""
    reason = _history_reason.get()
    if reason and not history_instance.history_change_reason:
        history_instance.history_change_reason = reason


_UNSET = object()
