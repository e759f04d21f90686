from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from core.forms import apply_validation_error, formset_changes
from core.permissions import ModelPermissionMixin


class ParentWithFormsetsView(ModelPermissionMixin, TemplateView):
    """Create or edit an object together with inline formsets of its rows, in one form.

    Every part is validated first, so that all errors show at once; then the changes go to the
    object's save service in one transaction: `save(obj, form, changes)` receives the object
    (None when new), the valid form and {formset name: core.services.RowChanges}. A
    ValidationError from the service is shown on the form and nothing is written.

    Subclasses set `form_class`, `context_object_name` (the object's name in the template),
    `formset_names` (the formsets' names in the template, in the order `get_formsets` returns
    them) and `success_url` (a URL name taking the object's pk; or override `get_success_url`),
    and supply `get_object` (an unsaved instance to create one), `get_formsets` and `save`.
    """

    form_class = None
    context_object_name = None
    formset_names = ()
    success_url = None

    def get_object(self):
        raise NotImplementedError

    def get_form_kwargs(self) -> dict:
        return {}

    def get_form(self, obj, data=None):
        return self.form_class(data, instance=obj, **self.get_form_kwargs())

    def get_formsets(self, obj, data=None):
        raise NotImplementedError

    def save(self, obj, form, changes):
        raise NotImplementedError

    def success_message(self, obj, *, created: bool) -> str:
        return f"Saved {obj}."

    def get_success_url(self, obj) -> str:
        return reverse(self.success_url, kwargs={"pk": obj.pk})

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.render_forms(obj, self.get_form(obj), self.get_formsets(obj))

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        created = obj.pk is None
        title = "" if created else str(obj)
        form = self.get_form(obj, request.POST)
        formsets = self.get_formsets(obj, request.POST)
        valid = [form.is_valid(), *(formset.is_valid() for formset in formsets)]
        if all(valid):
            changes = {
                name: formset_changes(formset)
                for name, formset in zip(self.formset_names, formsets, strict=True)
            }
            try:
                with transaction.atomic():
                    saved = self.save(None if created else obj, form, changes)
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, self.success_message(saved, created=created))
                return redirect(self.get_success_url(saved))
        return self.render_forms(obj, form, formsets, title=title)

    def render_forms(self, obj, form, formsets, title=""):
        context = self.get_context_data(
            **{self.context_object_name: obj},
            title=title or ("" if obj.pk is None else str(obj)),
            form=form,
            **dict(zip(self.formset_names, formsets, strict=True)),
        )
        return self.render_to_response(context)
