from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Value
from django.db.models.functions import Lower
from django.db.models.lookups import StartsWith
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View, defaults
from django.views.generic import TemplateView
from django_otp import login as otp_login

from core.accounts import (
    recovery_codes_renew,
    reset_limited,
    totp_device_confirm,
    totp_device_pending,
    totp_qr_svg,
    totp_secret_text,
    two_factor_enabled,
)
from core.exports import EXPORT_FORMATS, resource_download
from core.forms import apply_validation_error, formset_changes
from core.health import health_report
from core.permissions import ModelPermissionMixin
from core.tasks import send_password_reset


def local_path(request, value: str | None) -> str | None:
    """`value` when it is a path of this site ("/flags/?status=open"), else None: what a "next"
    field may send the browser to after a POST. A URL name, another host, a scheme-relative
    "//host", a backslash or a control character is refused."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any(ord(character) < 32 or ord(character) == 127 for character in value):
        return None
    if not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    return value


CONCURRENT_SAVE_MESSAGE = (
    "Another change was saved at the same moment, so this one was not. Check the page and "
    "save again."
)


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
            except IntegrityError:
                # Another request saved the same thing in between (a double click): validated
                # again, the form now says what clashes.
                form, formsets = (
                    self.get_form(obj, request.POST),
                    self.get_formsets(obj, request.POST),
                )
                if all([form.is_valid(), *(formset.is_valid() for formset in formsets)]):
                    form.add_error(None, CONCURRENT_SAVE_MESSAGE)
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


class AutocompleteView(ModelPermissionMixin, View):
    """JSON for a search box that picks one row among thousands: {"results": [{id, text}]}.

    Subclasses set `model` and `search_fields`, and may narrow `get_queryset`. At most
    `limit` rows, best matches (names starting with the term) first.
    """

    search_fields = ("name",)
    limit = 20
    http_method_names = ["get"]

    def label(self, obj) -> str:
        return str(obj)

    def get(self, request, *args, **kwargs):
        # A NUL byte cannot be part of a name (PostgreSQL refuses it in text): drop it.
        term = request.GET.get("q", "").replace("\x00", "").strip()[:100]
        rows = self.get_queryset()
        if term:
            found = self._matches(rows, term)
        else:
            found = list(rows.order_by(*self.search_fields, "pk")[: self.limit])
        return JsonResponse({"results": [{"id": obj.pk, "text": self.label(obj)} for obj in found]})

    def _matches(self, rows, term) -> list:
        """Rows whose first search field starts with `term`, then those where any field contains
        it, each in name order: two queries that stop at `limit` rows however many match, so
        that a common term costs the same in a large portfolio as in a small one. "Starts with"
        compares both sides in lower case, as the index on the lower-cased name (the unique
        name's) is written: the database then knows how many rows a term matches, and for a
        common one walks that index in order instead of sorting every match."""
        first = self.search_fields[0]
        order = (Lower(first), "pk")
        starts = StartsWith(Lower(first), Lower(Value(term)))
        found = list(rows.filter(starts).order_by(*order)[: self.limit])
        if len(found) < self.limit:
            contains = Q()
            for field in self.search_fields:
                contains |= Q(**{f"{field}__icontains": term})
            found += (
                rows.filter(contains).exclude(starts).order_by(*order)[: self.limit - len(found)]
            )
        return found


# ------------------------------------------------------------------------------ accounts


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    """Password reset that cannot flood a mailbox nor tell which addresses exist: limited per
    address and per email, the same answer either way. Whatever the address, the request queues
    the same task with the same inputs; the worker finds out whether someone has it and mails
    the link (core.accounts.password_reset_send)."""

    def form_valid(self, form):
        ip_address = self.request.META.get("REMOTE_ADDR", "")
        email = form.cleaned_data["email"]
        if reset_limited(ip_address=ip_address, email=email):
            return self.render_to_response(self.get_context_data(form=form, limited=True))
        send_password_reset.delay_on_commit(
            email=email,
            domain=get_current_site(self.request).domain,
            use_https=self.request.is_secure(),
        )
        return redirect(self.get_success_url())


class TwoFactorView(TemplateView):
    """Set up the second factor: scan a QR code, confirm with a first code, keep the recovery
    codes (shown once). Staff need it for the admin; anyone may use it."""

    template_name = "registration/two_factor.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = {"enabled": two_factor_enabled(user), **kwargs}
        if not context["enabled"] or kwargs.get("replace") or self.request.GET.get("replace"):
            device = totp_device_pending(user=user)
            context.update(qr_svg=totp_qr_svg(device), secret=totp_secret_text(device))
        return super().get_context_data(**context)

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "recovery_codes" and two_factor_enabled(request.user):
            codes = recovery_codes_renew(user=request.user)
            return self.render_to_response(self.get_context_data(recovery_codes=codes))
        device = totp_device_pending(user=request.user)
        codes = totp_device_confirm(device=device, token=request.POST.get("token", "").strip())
        if codes is None:
            return self.render_to_response(
                self.get_context_data(
                    error="That code does not match. Check the time on your phone and try the "
                    "code the app shows now.",
                    replace=True,
                )
            )
        otp_login(request, device)
        messages.success(request, "Two-factor authentication is on.")
        return self.render_to_response(self.get_context_data(recovery_codes=codes))


# ------------------------------------------------------------------------------ health


@method_decorator(login_not_required, name="dispatch")
class HealthView(View):
    """For monitoring: each part's status word (and age in seconds), 200 when all are "ok",
    503 otherwise. `?scope=web` checks the database only (the web container's healthcheck)."""

    http_method_names = ["get"]

    def get(self, request):
        checks = health_report(scope=request.GET.get("scope", "all"))
        healthy = all(check["status"] == "ok" for check in checks.values())
        return JsonResponse(
            {"status": "ok" if healthy else "failing", "checks": checks},
            status=200 if healthy else 503,
        )


# ------------------------------------------------------------------------------ errors


def not_found(request, exception):
    """The site's 404 for a URL no view takes (handler404): JSON under /api/, as the API answers,
    the page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


# ------------------------------------------------------------------------------ list pages


class FilterRefusalMixin:
    """A list page whose filter bar refused a value (an id no table holds, a number past its
    column, a choice that is not one) answers 400 Bad Request: the page is shown as usual, with
    the bar's message under the field, and the status says the query was not understood.
    `filter_form(context)` is the bar's form: the filter set's (`filter`) unless overridden."""

    def filter_form(self, context):
        filterset = context.get("filter")
        return filterset.form if filterset is not None else None

    def render_to_response(self, context, **response_kwargs):
        form = self.filter_form(context)
        if form is not None and form.is_bound and form.errors:
            response_kwargs.setdefault("status", 400)
        return super().render_to_response(context, **response_kwargs)


# ------------------------------------------------------------------------------ downloads


class ExportMixin:
    """A list page that also downloads its rows: `?export=csv` or `?export=xlsx`, with the
    page's filters, and `&rows=<name>` for another table of the same rows (a client list's
    contacts). `exports` maps each name ("" for the page's own rows) to (file name, resource
    class, a method name returning the rows); the page's query count is untouched."""

    exports: dict = {}

    def get(self, request, *args, **kwargs):
        file_format = request.GET.get("export")
        if file_format is None:
            return super().get(request, *args, **kwargs)
        entry = self.exports.get(request.GET.get("rows", ""))
        if file_format not in EXPORT_FORMATS or entry is None:
            raise Http404("No such download.")
        name, resource_class, rows_method = entry
        rows = getattr(self, rows_method)()
        return resource_download(
            resource_class(), rows.iterator(chunk_size=2000), name=name, file_format=file_format
        )

    def filtered_rows(self):
        """The rows of a django-filter list page, filtered and ordered as on the page."""
        filterset = self.filterset_class(
            self.request.GET or None, queryset=self.get_queryset(), request=self.request
        )
        return filterset.qs if filterset.is_valid() else filterset.queryset.none()


def export_links(request, *, rows: str = "") -> dict:
    """{"csv": url, "xlsx": url} of the current page's download, keeping its filters."""
    links = {}
    for file_format in EXPORT_FORMATS:
        query = request.GET.copy()
        query.pop("page", None)
        query["export"] = file_format
        if rows:
            query["rows"] = rows
        links[file_format] = f"?{query.urlencode()}"
    return links
