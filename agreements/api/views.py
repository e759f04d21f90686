"""The API's views over the domain's rows: thin, as the pages' views are. They fetch through the
role-scoped querysets of core.permissions, filter with the pages' FilterSets and write through
the apps' services, naming the caller as the user of every history row."""

from django.db.models import Model, QuerySet
from rest_framework import mixins, viewsets

from agreements.api import serializers
from clients.filters import ClientFilter
from clients.models import Client
from core.permissions import visible_to
from core.services import history_user


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
    `model` names the rows, `related` what every row's serializer reads along."""

    model: type[Model]
    select: tuple[str, ...] = ()
    prefetch: tuple = ()

    def get_queryset(self) -> QuerySet:
        queryset = visible_to(self.request.user, self.model)
        return queryset.select_related(*self.select).prefetch_related(*self.prefetch)

    def perform_create(self, serializer):
        with history_user(self.request.user):
            serializer.save()

    def perform_update(self, serializer):
        with history_user(self.request.user):
            serializer.save()

    def perform_destroy(self, instance):
        with history_user(self.request.user):
            instance.delete()


# ------------------------------------------------------------------------------ clients


class ClientViewSet(RowsViewSet):
    """Clients with their contacts and environment (what runs on their LAN)."""

    model = Client
    serializer_class = serializers.ClientSerializer
    filterset_class = without_sort(ClientFilter)
    prefetch = ("contacts", "technologies")
