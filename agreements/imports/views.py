from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.template.defaultfilters import pluralize
from django.views import View
from django.views.generic import TemplateView

from agreements.imports import flow, services
from agreements.imports.forms import (
    ClientChoiceForm,
    OptionsForm,
    PresetForm,
    ProductMapForm,
    UploadForm,
    VersionChoiceForm,
    skill_version_choices,
)
from agreements.imports.kinds import KINDS
from agreements.imports.models import ImportBatch
from agreements.imports.selectors import import_batch_get, import_batches_of
from clients.models import Client
from core.exports import EXPORT_FORMATS, resource_download
from core.permissions import ModelPermissionMixin
from skills.models import SkillVersion

PREVIEW_PAGE_SIZE = 100
ROWS_NAMED = 20


def rows_named(rows: list[int]) -> str:
    """Row numbers for a message: the first ROWS_NAMED of them, then how many more."""
    named = ", ".join(str(row) for row in rows[:ROWS_NAMED])
    more = len(rows) - ROWS_NAMED
    return f"{named} and {more} more" if more > 0 else named


class ImportStartView(ModelPermissionMixin, TemplateView):
    """Choose what the file holds and upload it; the preview follows."""

    model = ImportBatch
    permission_action = "add"
    template_name = "imports/start.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            form=kwargs.pop("form", None) or UploadForm(),
            batches=import_batches_of(self.request.user)[:10],
            kinds=[(key, kind.label, kind.headers().values()) for key, kind in KINDS.items()],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = flow.import_batch_create(
                    user=request.user,
                    kind=form.cleaned_data["kind"],
                    filename=upload.name,
                    data=upload.read(),
                    date_order=form.cleaned_data["date_order"],
                    preset=form.cleaned_data["preset"],
                )
            except ValidationError as error:
                for field, texts in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, texts)
            else:
                return redirect("imports:batch", pk=batch.pk)
        return self.render_to_response(self.get_context_data(form=form))


class ImportBatchView(ModelPermissionMixin, TemplateView):
    """The preview of one file, its choices, and Confirm."""

    model = ImportBatch
    permission_action = "add"
    template_name = "imports/batch.html"

    def get_batch(self):
        return import_batch_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        batch = kwargs.pop("batch", None) or self.get_batch()
        preview = batch.preview or {}
        rows = preview.get("rows", [])
        shown = self.request.GET.get("show", "")
        if shown in ("new", "changed", "unchanged", "error", "removed"):
            rows = [row for row in rows if row["status"] == shown]
        page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(self.request.GET.get("page"))
        choices = skill_version_choices() if preview.get("unknown_products") else []
        clients = list(Client.objects.only("pk", "name")) if preview.get("unknown_clients") else []
        return super().get_context_data(
            batch=batch,
            preview=preview,
            page_obj=page,
            shown=shown,
            refusal=services.confirm_refusal(batch),
            suggested_kind=KINDS.get(batch.options.get("suggested_kind", "")),
            options_form=kwargs.pop("options_form", None) or self.options_form(batch),
            preset_form=kwargs.pop("preset_form", None) or PresetForm(),
            client_forms=[
                (entry, ClientChoiceForm(initial={"name": entry["name"]}, clients=clients))
                for entry in preview.get("unknown_clients", [])
            ],
            version_forms=self.version_forms(preview.get("unknown_versions", [])),
            product_forms=[
                (entry, ProductMapForm(initial={"name": entry["name"]}, choices=choices))
                for entry in preview.get("unknown_products", [])
            ],
            **kwargs,
        )

    @staticmethod
    def version_forms(entries):
        versions = {}
        for version in SkillVersion.objects.filter(
            skill_id__in={entry["skill_id"] for entry in entries}
        ):
            versions.setdefault(version.skill_id, []).append(version)
        return [
            (
                entry,
                VersionChoiceForm(
                    initial={
                        "name": entry["name"],
                        "version_label": entry["version"],
                        "skill": entry["skill_id"],
                    },
                    versions=versions.get(entry["skill_id"], []),
                ),
            )
            for entry in entries
        ]

    @staticmethod
    def options_form(batch, data=None):
        mapping = batch.options.get("mapping", [])
        initial = {f"column_{index}": key for index, key in enumerate(mapping)}
        initial.update(
            date_order=batch.options.get("date_order"),
            replace_environment=batch.options.get("replace_environment"),
        )
        return OptionsForm(data, batch=batch, initial=initial)

    def post(self, request, *args, **kwargs):
        batch = self.get_batch()
        action = request.POST.get("action")
        handler = {
            "options": self.set_options,
            "map": self.map_product,
            "ignore": self.ignore_product,
            "version": self.choose_version,
            "client": self.choose_client,
            "kind": self.change_kind,
            "preset": self.save_preset,
            "confirm": self.confirm,
        }.get(action)
        if handler is None:
            return self.render_to_response(self.get_context_data(batch=batch), status=400)
        if batch.is_busy:
            messages.info(request, "This file is still being read or imported.")
            return redirect("imports:batch", pk=batch.pk)
        try:
            return handler(request, batch)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("imports:batch", pk=batch.pk)

    def set_options(self, request, batch):
        form = self.options_form(batch, request.POST)
        if not form.is_valid():
            return self.render_to_response(
                self.get_context_data(batch=batch, options_form=form), status=400
            )
        options = {"date_order": form.cleaned_data["date_order"]}
        if "replace_environment" in form.fields:
            options["replace_environment"] = form.cleaned_data["replace_environment"]
        flow.import_batch_options_set(batch=batch, mapping=form.mapping(), **options)
        messages.success(request, "Previewed again with your choices.")
        return redirect("imports:batch", pk=batch.pk)

    def map_product(self, request, batch):
        form = ProductMapForm(request.POST, choices=skill_version_choices())
        if not form.is_valid():
            messages.error(request, "Choose the skill this product is.")
            return redirect("imports:batch", pk=batch.pk)
        skill, version = form.skill_and_version()
        flow.import_product_map(
            batch=batch, name=form.cleaned_data["name"], skill=skill, version=version
        )
        messages.success(
            request,
            f"“{form.cleaned_data['name']}” is now read as {skill.name}"
            f"{' ' + version.label if version else ''}.",
        )
        return redirect("imports:batch", pk=batch.pk)

    def ignore_product(self, request, batch):
        name = request.POST.get("name", "").replace("\x00", "").strip()[:200]
        if not name:
            return redirect("imports:batch", pk=batch.pk)
        flow.import_product_ignore(batch=batch, name=name)
        messages.success(request, f"“{name}” is left out of this import.")
        return redirect("imports:batch", pk=batch.pk)

    def choose_version(self, request, batch):
        form = VersionChoiceForm.bound(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose a version, import without a version, or leave out.")
            return redirect("imports:batch", pk=batch.pk)
        name, label = form.cleaned_data["name"], form.cleaned_data["version_label"]
        version = form.chosen_version()
        if version is not None:
            flow.import_version_map(batch=batch, name=name, version_label=label, version=version)
            messages.success(request, f"“{name}” {label} is now read as version {version.label}.")
        else:
            without = form.cleaned_data["choice"] == VersionChoiceForm.WITHOUT
            flow.import_version_choose(
                batch=batch, name=name, version_label=label, without_version=without
            )
            messages.success(
                request,
                f"“{name}” {label} is "
                + ("imported without a version." if without else "left out of this import."),
            )
        return redirect("imports:batch", pk=batch.pk)

    def choose_client(self, request, batch):
        form = ClientChoiceForm(request.POST, clients=Client.objects.only("pk", "name"))
        if not form.is_valid():
            messages.error(request, "Choose a client, a new client, or leave out.")
            return redirect("imports:batch", pk=batch.pk)
        name = form.cleaned_data["name"]
        client = form.chosen_client()
        if client is not None:
            flow.import_client_map(batch=batch, name=name, client=client)
            messages.success(request, f"“{name}” is now read as {client.name}.")
        else:
            create = form.cleaned_data["choice"] == ClientChoiceForm.CREATE
            flow.import_client_choose(batch=batch, name=name, create=create)
            messages.success(
                request,
                f"“{name}” "
                + ("is created when you confirm." if create else "is left out of this import."),
            )
        return redirect("imports:batch", pk=batch.pk)

    def change_kind(self, request, batch):
        kind = request.POST.get("kind", "")
        flow.import_batch_kind_set(batch=batch, kind=kind)
        messages.success(request, f"Read as “{KINDS[kind].label}”.")
        return redirect("imports:batch", pk=batch.pk)

    def save_preset(self, request, batch):
        form = PresetForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(
                self.get_context_data(batch=batch, preset_form=form), status=400
            )
        preset = services.import_preset_save(batch=batch, name=form.cleaned_data["name"])
        messages.success(request, f"Saved the mapping as “{preset.name}”.")
        return redirect("imports:batch", pk=batch.pk)

    def confirm(self, request, batch):
        batch = flow.import_batch_confirm_start(batch=batch, user=request.user)
        if batch.state == ImportBatch.State.IMPORTED:
            counts = batch.preview.get("counts", {})
            left_out = batch.preview.get("left_out", [])
            messages.success(
                request,
                f"Imported {batch.filename}: {counts.get('new', 0)} new, "
                f"{counts.get('changed', 0)} changed, {counts.get('unchanged', 0)} unchanged."
                + (
                    f" Left out row{pluralize(left_out)} {rows_named(left_out)}."
                    if left_out
                    else ""
                ),
            )
        elif batch.message:
            messages.error(request, batch.message)
        return redirect("imports:batch", pk=batch.pk)


class ImportStatusView(ModelPermissionMixin, View):
    """How far the worker is with a long file: {"state", "done", "total"}."""

    model = ImportBatch
    permission_action = "add"
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        batch = import_batch_get(user=request.user, pk=kwargs["pk"])
        return JsonResponse(
            {"state": batch.state, "done": batch.rows_done, "total": batch.rows_total}
        )


class ImportTemplateView(ModelPermissionMixin, View):
    """Everything of one kind saved now, in the import's own columns: a file to edit and
    import again (?kind=clients&format=xlsx)."""

    model = ImportBatch
    permission_action = "view"
    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        if "kind" not in request.GET:
            return redirect("imports:start")
        kind = KINDS.get(request.GET["kind"])
        file_format = request.GET.get("format", "csv")
        if kind is None or file_format not in EXPORT_FORMATS:
            raise Http404("No such export.")
        return resource_download(
            kind.resource_class(),
            kind.export_rows().iterator(chunk_size=2000),
            name=kind.key.replace("_", "-"),
            file_format=file_format,
        )
