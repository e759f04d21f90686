from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import DetailView, ListView

from agreements import selectors
from agreements.filters import AgreementFilter
from agreements.forms import AgreementForm, requirement_formset
from agreements.models import Agreement
from agreements.resources import AgreementResource
from agreements.services import agreement_save
from clients.models import Client
from core.bounds import id_or_none
from core.permissions import ModelPermissionMixin, visible_to
from core.registry import (
    agreement_columns,
    agreement_detail_panels,
    agreement_form_panels,
    agreement_list_panels,
    columns_annotate,
    panels_render_list,
)
from core.views import ExportMixin, FilterRefusalMixin, ParentWithFormsetsView, export_links

PAGE_SIZE = 25


def client_agreements_panel(*, request, obj) -> dict:
    """The client page's agreements panel (registered in agreements/coverage/pages.py)."""
    day = timezone.localdate()
    agreements = selectors.client_agreements(user=request.user, client=obj, day=day)
    return {
        "agreements": agreements,
        "annual_value": selectors.annual_value_active_on(agreements, day=day),
        "columns": list(agreement_columns),
        "client": obj,
        "can_add": request.user.has_perm("agreements.add_agreement"),
    }


def client_requirements_panel(*, request, obj) -> dict:
    """The client page's requirements: what its active agreements ask of the team, derived from
    their services and the client's environment or added by hand (registered in
    agreements/coverage/pages.py)."""
    requirements = selectors.client_requirements(
        user=request.user, client=obj, day=timezone.localdate()
    )
    shown = selectors.CLIENT_REQUIREMENTS_SHOWN
    return {"requirements": requirements[:shown], "more_requirements": len(requirements) > shown}


class AgreementListView(FilterRefusalMixin, ExportMixin, ModelPermissionMixin, ListView):
    model = Agreement
    template_name = "agreements/agreement_list.html"
    paginate_by = PAGE_SIZE
    exports = {"": ("agreements", AgreementResource, "export_agreements")}

    def export_agreements(self):
        return selectors.agreements_for_export(self.get_queryset())

    def get_queryset(self):
        user = self.request.user
        agreements = columns_annotate(
            agreement_columns,
            super().get_queryset().select_related("client"),
            day=timezone.localdate(),
        )
        self.filterset = AgreementFilter(
            self.request.GET or None,
            queryset=agreements,
            client_queryset=visible_to(user, Client).order_by("name"),
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter=self.filterset,
            export_links=export_links(self.request),
            columns=list(agreement_columns),
            panels=panels_render_list(agreement_list_panels, request=self.request, obj=None),
            total_annual_value=selectors.annual_value_active_on(
                self.object_list, day=timezone.localdate()
            ),
            **kwargs,
        )


class AgreementDetailView(ModelPermissionMixin, DetailView):
    model = Agreement
    template_name = "agreements/agreement_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("client", "owner")

    def get_context_data(self, **kwargs):
        agreement = self.object
        return super().get_context_data(
            services=[
                link.service for link in agreement.agreement_services.select_related("service")
            ],
            panels=panels_render_list(agreement_detail_panels, request=self.request, obj=agreement),
            term=agreement.current_term(),
            **kwargs,
        )


class AgreementFormView(ParentWithFormsetsView):
    """Create or edit an agreement: its terms, its services and its manual requirements."""

    model = Agreement
    template_name = "agreements/agreement_form.html"
    form_class = AgreementForm
    context_object_name = "agreement"
    formset_names = ("formset",)
    success_url = "agreements:detail"

    def get_form_kwargs(self):
        return {"client_queryset": visible_to(self.request.user, Client).order_by("name")}

    def get_formsets(self, agreement, data=None):
        return (requirement_formset(data=data, agreement=agreement),)

    def get_context_data(self, **kwargs):
        agreement = kwargs.get(self.context_object_name)
        panels = []
        if agreement is not None and agreement.pk:
            panels = panels_render_list(agreement_form_panels, request=self.request, obj=agreement)
        return super().get_context_data(panels=panels, **kwargs)

    def save(self, agreement, form, changes):
        return agreement_save(
            agreement=agreement,
            fields=form.terms(),
            services=form.cleaned_data["services"],
            requirements=changes["formset"],
        )

    def success_message(self, agreement, *, created):
        return f"Agreement {agreement.reference} saved."


class AgreementCreateView(AgreementFormView):
    permission_action = "add"

    def get_object(self):
        return Agreement()

    def get_form(self, agreement, data=None):
        form = super().get_form(agreement, data)
        form.initial.setdefault("owner", self.request.user.pk)
        # "New agreement" on a client's page comes with ?client=<id>: that client, if the user
        # may see it.
        client_id = id_or_none(self.request.GET.get("client"))
        if client_id is not None:
            client = visible_to(self.request.user, Client).filter(pk=client_id).first()
            if client:
                form.initial["client"] = client.pk
        return form


class AgreementUpdateView(AgreementFormView):
    permission_action = "change"

    def get_object(self):
        return get_object_or_404(self.get_queryset().select_related("client"), pk=self.kwargs["pk"])


class AgreementHistoryView(ModelPermissionMixin, DetailView):
    model = Agreement
    template_name = "agreements/agreement_history.html"

    def get_context_data(self, **kwargs):
        history = self.object.history.select_related("history_user").order_by(
            "-history_date", "-history_id"
        )
        page = Paginator(history, PAGE_SIZE).get_page(self.request.GET.get("page"))
        records = list(page.object_list)
        older = (
            history.filter(history_date__lt=records[-1].history_date).first() if records else None
        )
        return super().get_context_data(
            page_obj=page, entries=selectors.agreement_history_entries(records, older), **kwargs
        )
