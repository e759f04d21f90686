from django.utils import timezone
from django.views.generic import TemplateView
from django_filters.views import FilterView

from clients import selectors
from clients.filters import ClientFilter
from clients.forms import ClientForm, client_formsets
from clients.models import Client
from clients.services import client_create, client_environment_changed, client_update
from core.permissions import ModelPermissionMixin
from core.views import ParentWithFormsetsView

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

    def save_object(self, form):
        if form.instance.pk:
            return client_update(client=form.instance, **form.cleaned_data)
        return client_create(**form.cleaned_data)

    def save_formsets(self, client, formsets):
        super().save_formsets(client, formsets)
        # The derived requirements of the client's agreements are re-synced once for the whole
        # environment, not once per row.
        _contacts, environment = formsets
        if environment.has_changed():
            client_environment_changed(client=client)


class ClientCreateView(ClientFormView):
    permission_action = "add"

    def get_object(self):
        return Client()


class ClientUpdateView(ClientFormView):
    permission_action = "change"

    def get_object(self):
        return selectors.client_get(user=self.request.user, pk=self.kwargs["pk"])
