"""Form pieces shared by the apps: widgets, fields, formsets and helpers for the views."""

from functools import cached_property

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.forms import BaseInlineFormSet, inlineformset_factory

from core.bounds import id_or_none
from core.ownership import kept_by
from core.services import RowChanges


class KeptFieldsMixin:
    """For a ModelForm of an object a connection keeps (core.ownership): the fields it keeps
    are read-only, with "Managed by <connection>" beside them, and a POST that changes one is
    refused with a message that says where to change it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.keeper = kept_by(self.instance)
        self.kept_fields = (
            sorted(self.keeper.fields & set(self.fields)) if self.keeper is not None else []
        )
        for name in self.kept_fields:
            field = self.fields[name]
            if isinstance(field.widget, forms.TextInput | forms.Textarea | forms.NumberInput):
                field.widget.attrs["readonly"] = True
            else:
                # A choice cannot be read-only in the browser: disabled, its saved value stays.
                field.disabled = True
            field.help_text = f"Managed by {self.keeper.name}: change it there."

    def clean(self):
        cleaned = super().clean()
        for name in self.kept_fields:
            field = self.fields[name]
            if field.disabled:
                continue
            posted = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            if field.has_changed(self.get_initial_for_field(field, name), posted):
                self.add_error(
                    name,
                    f"{field.label or name} is managed by {self.keeper.name}: change it there.",
                )
        return cleaned


class DateInput(forms.DateInput):
    """The browser's own date picker; the value travels as YYYY-MM-DD."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def column_bounded_formfield(model_field, **kwargs):
    """A model form's field for `model_field` (`Meta.formfield_callback`): a whole number gets
    the smallest and largest values its column holds (or its model's narrower validators), so
    that one beyond them is refused with the field's message before the form's clean() or a
    query sees it, and the browser's number input knows them too."""
    if isinstance(model_field, models.IntegerField):
        validators = model_field.validators  # Django adds the column's range to the model's
        limits = {
            "min_value": [v.limit_value for v in validators if isinstance(v, MinValueValidator)],
            "max_value": [v.limit_value for v in validators if isinstance(v, MaxValueValidator)],
        }
        if limits["min_value"]:
            kwargs.setdefault("min_value", max(limits["min_value"]))
        if limits["max_value"]:
            kwargs.setdefault("max_value", min(limits["max_value"]))
    return model_field.formfield(**kwargs)


def active_users():
    """The users a form may pick: active ones, in the order of the names they are shown by."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .order_by("first_name", "last_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    """A user shown by full name and username, or by name alone when `short`."""

    def __init__(self, *args, short=False, **kwargs):
        self.short = short
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        full_name = obj.get_full_name()
        if full_name and not self.short:
            return f"{full_name} ({obj.username})"
        return full_name or obj.username


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Users shown by full name and username."""

    def label_from_instance(self, obj):
        full_name = obj.get_full_name()
        return f"{full_name} ({obj.username})" if full_name else obj.username


MAX_ROWS = 200  # rows of one formset saved at once
# The arguments of inlineformset_factory that bound a formset at MAX_ROWS, posted or not.
ROW_LIMITS = {"max_num": MAX_ROWS, "absolute_max": MAX_ROWS, "validate_max": True}


class RowFormSet(BaseInlineFormSet):
    """An inline formset that a tampered post cannot turn into silent changes.

    Made with ROW_LIMITS, it takes at most MAX_ROWS rows (a post claiming a million is refused
    before the rows are built). The count of saved rows the post claims must be the real one,
    and only those rows may carry an id (Django checks that it is one of the parent's rows): a
    post that says otherwise was altered or is stale, and nothing of it is saved.
    """

    default_error_messages = {
        "too_many_forms": f"At most {MAX_ROWS} rows can be saved at once.",
        "missing_management_form": "This form is incomplete or was altered; reload the page.",
    }
    stale_message = (
        "The rows on this page no longer match what is saved (the page may be out of date or "
        "was altered). Reload the page and make your changes again."
    )

    def clean(self):
        super().clean()
        # A saved row's form finds its row among the parent's by the posted id; a new row's
        # form must post none.
        pk_name = self.model._meta.pk.name
        if (
            self.initial_form_count() != len(self.get_queryset())
            or any(form.instance.pk is None for form in self.initial_forms)
            or any(form.data.get(form.add_prefix(pk_name)) for form in self.extra_forms)
        ):
            raise ValidationError(self.stale_message, code="stale_rows")


class SharedChoicesFormSet(RowFormSet):
    """Builds the choices of its select fields once for the whole formset.

    Without this every form of the formset would run its own query per select. Validation still
    goes through each field's queryset, so a posted id that does not exist is refused.
    `shared_choices` maps a field name to a function returning the choices.
    """

    shared_choices = {}

    @cached_property
    def _choices(self):
        return {name: build() for name, build in self.shared_choices.items()}

    def _construct_form(self, i, **kwargs):
        return self.prepare_row(super()._construct_form(i, **kwargs))

    @property
    def empty_form(self):
        # The row the page copies to add one (static/js/rows.js) is prepared like the others.
        return self.prepare_row(super().empty_form)

    def prepare_row(self, form):
        for name, choices in self._choices.items():
            form.fields[name].choices = choices
        # Rows show no labels, only the table's header: name each input for screen readers.
        for name, field in form.fields.items():
            label = "Remove this row" if name == "DELETE" else field.label or name
            field.widget.attrs.setdefault("aria-label", label)
        return form


def formset_changes(formset) -> RowChanges:
    """What a valid model formset asks for, for a service to apply (core.services.RowChanges).

    The values are those of the row form's fields: new rows, edited saved rows with their
    instance, and saved rows marked for deletion.
    """
    # An inline formset adds its foreign key to the row form's fields; the parent is the
    # service's to set.
    fields = [name for name in formset.form._meta.fields if name != formset.fk.name]
    added, changed, removed = [], [], []
    deleted = formset.deleted_forms
    for form in formset.forms:
        is_saved = form.instance.pk is not None
        if form in deleted:
            if is_saved:
                removed.append(form.instance)
            continue
        if not form.has_changed():
            continue
        values = {name: form.cleaned_data[name] for name in fields}
        if is_saved:
            changed.append((form.instance, values))
        else:
            added.append(values)
    return RowChanges(added=added, changed=changed, removed=removed)


def apply_validation_error(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form's fields (or above it)."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error)


def row_formset(parent, model, *, form, formset, prefix, data=None, queryset=None):
    """An inline formset of `parent`'s `model` rows, with one blank row (the page adds more)."""
    factory = inlineformset_factory(
        type(parent),
        model,
        form=form,
        formset=formset,
        extra=1,
        can_delete=True,
        **ROW_LIMITS,
    )
    return factory(data, instance=parent, prefix=prefix, queryset=queryset)


class AutocompleteSelect(forms.Widget):
    """A choice among thousands of rows: a search box fed by a JSON view (core.views
    AutocompleteView) instead of a <select> with every row. Posts the chosen row's id."""

    template_name = "core/widgets/autocomplete.html"

    def __init__(self, *, url, placeholder="Type to search", attrs=None):
        super().__init__(attrs=attrs)
        self.url = url
        self.placeholder = placeholder
        self.choices = ()
        # {id: name} read once for many rows of a formset, instead of a query per row.
        self.known_labels = None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            url=str(self.url),
            placeholder=self.placeholder,
            label=self._label(value),
            aria_label=context["widget"]["attrs"].get("aria-label", ""),
        )
        return context

    def _label(self, value) -> str:
        """The chosen row's name, read with one query; "" when nothing valid is chosen."""
        queryset = getattr(self.choices, "queryset", None)
        chosen_id = id_or_none(value)
        if queryset is None or chosen_id is None:
            return ""
        if self.known_labels is not None:
            return self.known_labels.get(chosen_id, "")
        chosen = queryset.filter(pk=chosen_id).first()
        return str(chosen) if chosen else ""

    def format_value(self, value):
        return "" if value is None else str(value)


class AutocompleteSelectMultiple(AutocompleteSelect):
    """Several rows among thousands: each one chosen shows as a removable chip; the search box
    adds more. Posts one value per chosen row."""

    template_name = "core/widgets/autocomplete_multiple.html"
    allow_multiple_selected = True

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["chosen"] = self._chosen(value)
        return context

    def _label(self, value) -> str:
        return ""

    def _chosen(self, values) -> list[tuple[int, str]]:
        """(id, name) of the chosen rows, read with one query."""
        queryset = getattr(self.choices, "queryset", None)
        ids = list(filter(None, map(id_or_none, values or [])))
        if queryset is None or not ids:
            return []
        return [(obj.pk, str(obj)) for obj in queryset.filter(pk__in=ids)]

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def format_value(self, value):
        if value is None:
            return []
        return [str(item) for item in (value if isinstance(value, list | tuple) else [value])]
