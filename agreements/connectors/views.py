"""The connections' pages: admin-only, with the second factor, like the app's settings. A sync
runs on the worker once the request commits; its page follows it with a progress bar."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from agreements.connectors import services, tasks
from agreements.connectors.forms import ConnectionForm, MappingsForm
from agreements.connectors.models import Connection, SyncRun
from agreements.connectors.selectors import connection_list, connection_runs
from agreements.connectors.vendors import VENDORS
from agreements.coverage.views import AdminWithSecondFactorMixin
from agreements.imports.models import ImportBatch


def _connection(pk) -> Connection:
    return get_object_or_404(Connection, pk=pk)


def _run(connection: Connection, run_pk) -> SyncRun:
    return get_object_or_404(SyncRun, pk=run_pk, connection=connection)


class ConnectionListView(AdminWithSecondFactorMixin, TemplateView):
    model = Connection
    template_name = "connectors/list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            connections=connection_list(),
            vendors=[(kind, vendor.label) for kind, vendor in VENDORS.items()],
            **kwargs,
        )


class ConnectionFormView(AdminWithSecondFactorMixin, FormView):
    """Add a connection of the kind chosen (?kind=), or change one."""

    model = Connection
    template_name = "connectors/form.html"
    form_class = ConnectionForm

    def dispatch(self, request, *args, **kwargs):
        self.connection = _connection(kwargs["pk"]) if "pk" in kwargs else None
        return super().dispatch(request, *args, **kwargs)

    def kind(self) -> str:
        if self.connection is not None:
            return self.connection.kind
        kind = self.request.GET.get("kind", "")
        if kind not in VENDORS:
            raise Http404("Choose a kind of connection.")
        return kind

    def get(self, request, *args, **kwargs):
        if self.connection is None and request.GET.get("kind", "") not in VENDORS:
            # The kind is chosen on the list of connections first.
            return redirect("connectors:list")
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "kind": self.kind(),
            "instance": self.connection or Connection(kind=self.kind()),
        }

    def form_valid(self, form):
        try:
            if self.connection is None:
                connection = services.connection_create(
                    kind=self.kind(),
                    credentials=form.credentials(),
                    user=self.request.user,
                    **form.fields_to_save(),
                )
            else:
                connection = services.connection_update(
                    connection=self.connection,
                    credentials=form.credentials(),
                    user=self.request.user,
                    **form.fields_to_save(),
                )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
            return self.form_invalid(form)
        messages.success(self.request, f"Connection “{connection.name}” saved.")
        return redirect("connectors:detail", pk=connection.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            connection=self.connection, vendor=VENDORS[self.kind()], **kwargs
        )


class ConnectionDetailView(AdminWithSecondFactorMixin, TemplateView):
    model = Connection
    template_name = "connectors/detail.html"

    def get_context_data(self, **kwargs):
        connection = _connection(self.kwargs["pk"])
        runs = connection_runs(connection)
        review = next((run for run in runs if run.status == SyncRun.Status.REVIEW), None)
        latest_names = next((run.names for run in runs if run.names), {})
        review_batches = []
        if review is not None:
            ids = [entry["batch"] for kind, entry in review.batches.items() if kind != "renames"]
            review_batches = list(ImportBatch.objects.filter(pk__in=ids).order_by("pk"))
        return super().get_context_data(
            connection=connection,
            runs=runs,
            busy=any(run.is_busy for run in runs),
            review=review,
            review_batches=review_batches,
            mappings_form=kwargs.pop("mappings_form", None)
            or MappingsForm(connection=connection, names=latest_names),
            software_titles=sorted(
                (latest_names.get("software_titles") or {}).items(), key=lambda i: (-i[1], i[0])
            )[:50],
            **kwargs,
        )


class ConnectionTestView(AdminWithSecondFactorMixin, View):
    model = Connection

    def post(self, request, pk):
        connection = _connection(pk)
        ok, text = services.connection_test(connection=connection)
        (messages.success if ok else messages.error)(request, text)
        return redirect("connectors:detail", pk=pk)


class SyncNowView(AdminWithSecondFactorMixin, View):
    model = Connection

    def post(self, request, pk):
        connection = _connection(pk)
        try:
            with transaction.atomic():
                run = services.sync_run_start(
                    connection=connection, trigger=SyncRun.Trigger.MANUAL, user=request.user
                )
                tasks.sync_run.delay_on_commit(run.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.info(request, "The sync has started; this page follows it.")
        return redirect("connectors:detail", pk=pk)


class RunConfirmView(AdminWithSecondFactorMixin, View):
    model = Connection

    def post(self, request, pk, run_pk):
        connection = _connection(pk)
        run = _run(connection, run_pk)
        try:
            run = services.sync_run_confirm(run=run, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if run.status == SyncRun.Status.APPLIED:
                messages.success(request, "The sync was confirmed and written.")
            else:
                messages.error(request, run.error)
        return redirect("connectors:detail", pk=pk)


class RunCancelView(AdminWithSecondFactorMixin, View):
    model = Connection

    def post(self, request, pk, run_pk):
        connection = _connection(pk)
        try:
            services.sync_run_cancel(run=_run(connection, run_pk), user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.info(request, "The sync was cancelled; nothing was written.")
        return redirect("connectors:detail", pk=pk)


class MappingsView(AdminWithSecondFactorMixin, View):
    model = Connection

    def post(self, request, pk):
        connection = _connection(pk)
        names = next((run.names for run in connection_runs(connection) if run.names), {})
        form = MappingsForm(request.POST, connection=connection, names=names)
        if form.is_valid():
            try:
                services.connection_mappings_set(
                    connection=connection, mappings=form.mappings(), user=request.user
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, "Mappings saved; the next sync uses them.")
        else:
            messages.error(request, "Choose each mapping among those offered.")
        return redirect(reverse("connectors:detail", args=[pk]) + "#mappings")
