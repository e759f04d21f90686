"""The rows of the book and the team in the API (book.py, team.py): the viewset they share, and
nested rows replaced as the pages' forms replace them: a row given with its `id` is updated, a
row without one is added, and a row of the parent left out is removed. An `id` that is not one
of the parent's rows is refused, as a tampered form is."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from django.utils.text import capfirst
from rest_framework import mixins, serializers, viewsets

from agreements.api.errors import validation_detail
from core.formatting import person_name
from core.ownership import kept_by
from core.permissions import visible_to
from core.services import RowChanges, history_user

TIMESTAMPS = ("created_at", "updated_at")


def name_of(model: type[Model], field: str, attribute: str = "name") -> serializers.CharField:
    """The `attribute` of the row's foreign key `field` beside its id, so that a list reads as
    the page shows it without a call per row; null where the key may be. The viewset joins the
    related row (`select`, or a Prefetch with select_related for nested rows)."""
    return serializers.CharField(
        source=f"{field}.{attribute}",
        read_only=True,
        allow_null=model._meta.get_field(field).null,
        help_text=f"The {attribute} of `{field}`.",
    )


def names_of(field: str) -> serializers.SlugRelatedField:
    """The names of the row's many-to-many `field`, in the order of its ids."""
    return serializers.SlugRelatedField(
        source=field,
        slug_field="name",
        many=True,
        read_only=True,
        help_text=f"The names of `{field}`, in the same order.",
    )


class PersonNameField(serializers.CharField):
    """A user the row names (an owner, an account manager) as people know them: the full name,
    else the username; null for nobody."""

    def __init__(self, field: str):
        super().__init__(
            source=field,
            read_only=True,
            allow_null=True,
            help_text=f"The full name (else the username) of `{field}`.",
        )

    def to_representation(self, value):
        return person_name(value)


class RowSerializer(serializers.ModelSerializer):
    """One nested row: `id` to keep or change a row, none to add one. The model's own clean()
    (e.g. a version must belong to the skill) runs here, so that its messages name the row."""

    id = serializers.IntegerField(required=False)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        row = self.Meta.model(**{name: value for name, value in attrs.items() if name != "id"})
        try:
            row.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(validation_detail(error)) from None
        return attrs


def _saved_value(instance: Model, name: str):
    field = instance._meta.get_field(name)
    if field.many_to_many:
        return {row.pk for row in getattr(instance, name).all()}
    return getattr(instance, name)


def _given_value(instance: Model, name: str, value):
    if instance._meta.get_field(name).many_to_many:
        return {row.pk for row in value}
    return value


def kept_fields_refused(instance: Model | None, values: Mapping[str, Any]) -> dict[str, list[str]]:
    """{field: [why]} of the `values` that would change a field a connection keeps
    (core.ownership), as the pages' forms refuse them; empty when none does."""
    keeper = kept_by(instance) if instance is not None else None
    if keeper is None:
        return {}
    return {
        name: [
            f"{capfirst(instance._meta.get_field(name).verbose_name)} is managed by "
            f"{keeper.name}: change it there."
        ]
        for name in sorted(keeper.fields & set(values))
        if _given_value(instance, name, values[name]) != _saved_value(instance, name)
    }


def rows_replacing(
    existing: QuerySet, given: Sequence[Mapping[str, Any]], *, field: str
) -> RowChanges:
    """The changes that turn `existing` (the parent's rows; none for a new parent) into `given`."""
    by_id: dict[int, Model] = {row.pk: row for row in existing}
    added, changed, errors, kept = [], [], {}, set()
    for position, values in enumerate(given):
        values = dict(values)
        row_id = values.pop("id", None)
        if row_id is None:
            added.append(values)
        elif row_id not in by_id or row_id in kept:
            errors[str(position)] = {
                "id": [f"{row_id} is not one of the rows of this {field} list."]
            }
        elif refused := kept_fields_refused(by_id[row_id], values):
            errors[str(position)] = refused
        else:
            kept.add(row_id)
            changed.append((by_id[row_id], values))
    if errors:
        # The shape DRF gives errors of a nested list: by the row's position.
        raise serializers.ValidationError({field: errors})
    removed = [row for row_id, row in by_id.items() if row_id not in kept]
    return RowChanges(added=added, changed=changed, removed=removed)


class ParentSerializer(serializers.ModelSerializer):
    """A row with nested lists, written by its app's save service in one transaction.

    `nested` names the writable nested lists, each the parent's related name of its rows (or
    with it as its source); `save_rows(instance, fields, **changes)` calls the service with the
    changes by related name. A list left out of the request (as PATCH may) keeps its rows."""

    nested: Sequence[str] = ()

    def save_rows(self, *, instance, fields, **changes):
        raise NotImplementedError

    def existing_rows(self, instance, field):
        """The parent's rows that the nested list `field` stands for."""
        return getattr(instance, self.fields[field].source).all()

    def validate(self, attrs):
        """A field a connection keeps is changed in its system, not here (other fields stay
        writable)."""
        attrs = super().validate(attrs)
        nested_sources = {self.fields[field].source for field in self.nested}
        own = {name: value for name, value in attrs.items() if name not in nested_sources}
        refused = kept_fields_refused(self.instance, own)
        if refused:
            raise serializers.ValidationError(refused)
        return attrs

    def create(self, validated_data):
        return self._save(None, validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    def _save(self, instance, data):
        changes = {}
        for field in self.nested:
            related_name = self.fields[field].source
            if related_name in data:
                existing = self.existing_rows(instance, field) if instance else []
                changes[related_name] = rows_replacing(
                    existing, data.pop(related_name), field=field
                )
        return self.save_rows(instance=instance, fields=data, **changes)


def without_sort(filterset_class):
    """A page's FilterSet for the API: its filters without its "sort", since an API list keeps
    the order of its cursor."""

    class ApiFilter(filterset_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.filters.pop("sort", None)

    ApiFilter.base_filters.pop("sort", None)
    ApiFilter.__name__ = ApiFilter.__qualname__ = filterset_class.__name__
    return ApiFilter


class RowsViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and update for the roles that may; delete for admins (permissions.py).
    `model` names the rows, `select` and `prefetch` what every row's serializer reads along."""

    model: type[Model]
    # Any path segment reaches the view, which answers a malformed id with the API's own 404.
    lookup_value_regex = "[^/]+"
    select: tuple[str, ...] = ()
    prefetch: tuple = ()

    def get_queryset(self) -> QuerySet:
        queryset = visible_to(self.request.user, self.model).prefetch_related(*self.prefetch)
        # Only what is named: select_related() without names would join every non-null key.
        return queryset.select_related(*self.select) if self.select else queryset

    def rows_annotate(self, queryset: QuerySet) -> QuerySet:
        """What the serializer reads beside the rows' own columns (the newest check's coverage);
        nothing unless a viewset says."""
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # Here rather than in get_queryset, which the permission check and the schema generator
        # also call: an annotation that reads the newest check would cost them a query.
        return self.rows_annotate(super().filter_queryset(queryset))

    def perform_create(self, serializer):
        with history_user(self.request.user):
            serializer.save()
        self._read_again(serializer)

    def perform_update(self, serializer):
        with history_user(self.request.user):
            serializer.save()
        self._read_again(serializer)

    def _read_again(self, serializer):
        """A write answers with the row as a read gives it, names and coverage included."""
        rows = self.rows_annotate(self.get_queryset())
        serializer.instance = rows.get(pk=serializer.instance.pk)

    def perform_destroy(self, instance):
        with history_user(self.request.user):
            instance.delete()
