from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView
from django_filters.views import FilterView

from clients import selectors
from clients.filters import ClientFilter
from clients.forms import ClientForm, client_formsets
from clients.models import Client
from clients.services import client_create, client_environment_changed, client_update
from core.permissions import ModelPermissionMixin

SORTABLE_COLUMNS = [
    ("name", "Name"),
    ("status", "Status"),
    ("seats", "Seats"),
    ("annual_value", "Annual value"),
]


def sort_headers(request, columns, *, default, param="sort"):
    """Column headers linking to the list sorted by that column; a second click reverses."""
    current = request.GET.get(param) or default
    headers = []
    for field, label in columns:
        direction = {field: "ascending", f"-{field}": "descending"}.get(current, "")
        query = request.GET.copy()
        query[param] = f"-{field}" if direction == "ascending" else field
        query.pop("page", None)
        headers.append({"label": label, "url": f"?{query.urlencode()}", "direction": direction})
    return headers


class ClientListView(ModelPermissionMixin, FilterView):
    model = Client
    filterset_class = ClientFilter
    template_name = "clients/client_list.html"
    paginate_by = 25

    def get_queryset(self):
        return selectors.client_list(user=self.request.user, day=timezone.localdate())

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sort_headers=sort_headers(self.request, SORTABLE_COLUMNS, default="name"), **kwargs
        )


class ClientDetailView(ModelPermissionMixin, TemplateView):
    model = Client
    template_name = "clients/client_detail.html"

    def get_context_data(self, **kwargs):
        day = timezone.localdate()
        client = selectors.client_get(user=self.request.user, pk=self.kwargs["pk"])
        return super().get_context_data(
            client=client,
            contacts=selectors.client_contacts(client=client),
            environment=selectors.client_environment(client=client, day=day),
            agreements=selectors.client_agreements(client=client, day=day),
            annual_value=selectors.client_annual_value(client=client, day=day),
            **kwargs,
        )


class ClientFormView(ModelPermissionMixin, TemplateView):
    """Create or edit a client with its contacts and environment in one form."""

    model = Client
    template_name = "clients/client_form.html"

    def get_client(self):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        client = self.get_client()
        form = ClientForm(instance=client)
        return self.render_forms(client, form, client_formsets(client=client))

    def post(self, request, *args, **kwargs):
        client = self.get_client()
        title = str(client) if client.pk else ""
        form = ClientForm(request.POST, instance=client)
        formsets = client_formsets(data=request.POST, client=client)
        # Validate every part, so that all the errors show at once.
        valid = [form.is_valid(), *(formset.is_valid() for formset in formsets)]
        if not all(valid):
            return self.render_forms(client, form, formsets, title=title)
        client = self.save(form, *formsets)
        messages.success(request, f"Saved {client.name}.")
        return redirect("clients:detail", pk=client.pk)

    @transaction.atomic
    def save(self, form, contacts, environment):
        if form.instance.pk:
            client = client_update(client=form.instance, **form.cleaned_data)
        else:
            client = client_create(**form.cleaned_data)
        contacts.instance = environment.instance = client
        contacts.save()
        # Rows are validated by their model forms (full_clean); the derived requirements of the
        # client's agreements are re-synced once for the whole environment, not once per row.
        environment.save()
        if environment.has_changed():
            client_environment_changed(client=client)
        return client

    def render_forms(self, client, form, formsets, title=""):
        contacts, environment = formsets
        context = self.get_context_data(
            client=client,
            title=title or str(client),
            form=form,
            contacts=contacts,
            environment=environment,
        )
        return self.render_to_response(context)


class ClientCreateView(ClientFormView):
    permission_action = "add"

    def get_client(self):
        return Client()


class ClientUpdateView(ClientFormView):
    permission_action = "change"

    def get_client(self):
        return selectors.client_get(user=self.request.user, pk=self.kwargs["pk"])
