from django.utils import timezone
from django.views.generic import TemplateView
from django_filters.views import FilterView

from clients import selectors
from clients.filters import ClientFilter
from clients.forms import ClientForm, client_formsets
from clients.models import Client
from clients.resources import ClientResource, ClientTechnologyResource, ContactResource
from clients.services import client_save
from core.permissions import ModelPermissionMixin
from core.registry import client_detail_panels, client_list_columns, panels_render_list
from core.views import (
    AutocompleteView,
    ExportMixin,
    FilterRefusalMixin,
    ParentWithFormsetsView,
    export_links,
)

SORTABLE_COLUMNS = [("name", "Name"), ("status", "Status"), ("seats", "Seats")]


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


class ClientListView(FilterRefusalMixin, ExportMixin, ModelPermissionMixin, FilterView):
    model = Client
    filterset_class = ClientFilter
    template_name = "clients/client_list.html"
    paginate_by = 25
    exports = {
        "": ("clients", ClientResource, "export_clients"),
        "contacts": ("contacts", ContactResource, "export_contacts"),
    }

    def export_clients(self):
        return selectors.clients_for_export(self.filtered_rows())

    def export_contacts(self):
        return selectors.contacts_for_export(self.filtered_rows())

    def get_queryset(self):
        return selectors.client_list(user=self.request.user, day=timezone.localdate())

    def get_context_data(self, **kwargs):
        columns = list(client_list_columns)
        headers = sort_headers(self.request, SORTABLE_COLUMNS, default="name")
        extra_headers = sort_headers(
            self.request, [(c.key, c.label) for c in columns if c.sortable], default="name"
        )
        by_key = dict(zip((c.key for c in columns if c.sortable), extra_headers, strict=True))
        return super().get_context_data(
            export_links=export_links(self.request),
            contacts_export_links=export_links(self.request, rows="contacts"),
            sort_headers=headers,
            extra_columns=[(column, by_key.get(column.key)) for column in columns],
            **kwargs,
        )


class ClientAutocompleteView(AutocompleteView):
    """Clients by name, for the search boxes that pick one."""

    model = Client


class ClientDetailView(ExportMixin, ModelPermissionMixin, TemplateView):
    model = Client
    template_name = "clients/client_detail.html"
    exports = {"": ("environment", ClientTechnologyResource, "export_environment")}

    def export_environment(self):
        client = selectors.client_get(user=self.request.user, pk=self.kwargs["pk"])
        return selectors.environment_for_export(client)

    def get_context_data(self, **kwargs):
        client = selectors.client_get(user=self.request.user, pk=self.kwargs["pk"])
        return super().get_context_data(
            client=client,
            contacts=selectors.client_contacts(client=client),
            environment=selectors.client_environment(client=client, day=timezone.localdate()),
            panels=panels_render_list(client_detail_panels, request=self.request, obj=client),
            export_links=export_links(self.request),
            **kwargs,
        )


class ClientFormView(ParentWithFormsetsView):
    """Create or edit a client with its contacts and environment in one form."""

    model = Client
    template_name = "clients/client_form.html"
    form_class = ClientForm
    context_object_name = "client"
    formset_names = ("contacts", "environment")
    success_url = "clients:detail"

    def get_formsets(self, client, data=None):
        return client_formsets(data=data, client=client)

    def save(self, client, form, changes):
        return client_save(client=client, fields=form.cleaned_data, **changes)

    def success_message(self, client, *, created):
        return f"Saved {client.name}."


class ClientCreateView(ClientFormView):
    permission_action = "add"

    def get_object(self):
        return Client()


class ClientUpdateView(ClientFormView):
    permission_action = "change"

    def get_object(self):
        return selectors.client_get(user=self.request.user, pk=self.kwargs["pk"])
