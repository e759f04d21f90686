from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.views.generic import TemplateView

from core.permissions import ModelPermissionMixin


class ParentWithFormsetsView(ModelPermissionMixin, TemplateView):
    """Create or edit an object together with inline formsets of its rows, in one form.

    Subclasses set `form_class`, `context_object_name` (the object's name in the template),
    `formset_names` (the formsets' names in the template, in the order `get_formsets` returns
    them) and `success_url` (a URL name taking the object's pk), and supply `get_object`,
    `get_formsets` and `save_object` (the service call for the object itself).
    """

    form_class = None
    context_object_name = None
    formset_names = ()
    success_url = None

    def get_object(self):
        raise NotImplementedError

    def get_formsets(self, obj, data=None):
        raise NotImplementedError

    def save_object(self, form):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        return self.render_forms(obj, self.form_class(instance=obj), self.get_formsets(obj))

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        title = str(obj) if obj.pk else ""
        form = self.form_class(request.POST, instance=obj)
        formsets = self.get_formsets(obj, request.POST)
        # Validate every part, so that all the errors show at once.
        valid = [form.is_valid(), *(formset.is_valid() for formset in formsets)]
        if not all(valid):
            return self.render_forms(obj, form, formsets, title=title)
        obj = self.save(form, formsets)
        messages.success(request, f"Saved {obj.name}.")
        return redirect(self.success_url, pk=obj.pk)

    @transaction.atomic
    def save(self, form, formsets):
        obj = self.save_object(form)
        for formset in formsets:
            formset.instance = obj
        self.save_formsets(obj, formsets)
        return obj

    def save_formsets(self, obj, formsets):
        # Each row was validated by its model form (full_clean); saving the formsets writes
        # exactly those rows.
        for formset in formsets:
            formset.save()

    def render_forms(self, obj, form, formsets, title=""):
        context = self.get_context_data(
            **{self.context_object_name: obj},
            title=title or str(obj),
            form=form,
            **dict(zip(self.formset_names, formsets, strict=True)),
        )
        return self.render_to_response(context)
