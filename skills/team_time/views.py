"""Pages of the team's time. Consultants change them, viewers read them (DESIGN "Users"): each
view names the model whose permission it needs, which may differ from the row in its URL (a
technician's working hours are changed on the technician's page). Time off is removed with the
change permission: it is the technician's plan, corrected as often as it is entered. A
technician (group Technician) holds the time off permissions too, for their own time off only:
each time off page also checks the row's technician (403 for anyone else's)."""

import zoneinfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import ListView, TemplateView

from core.bounds import id_or_none
from core.forms import apply_validation_error
from core.permissions import ModelPermissionMixin, can_add, can_change, perm_name
from core.views import FilterRefusalMixin
from skills.models import OnCallOverride, OnCallRota, Technician, TimeOff, WorkingHours
from skills.rotas import working_periods
from skills.team_time import selectors, services
from skills.team_time.forms import (
    RotaCoverForm,
    RotaForm,
    RotaHoursForm,
    RotaMemberAddForm,
    RotaMemberForm,
    RotaSwapForm,
    TeamCalendarFilterForm,
    TimeOffForm,
    WorkingHoursForm,
)
from skills.weekly_patterns import default_rota_hours, default_working_hours


class TeamTimeView(ModelPermissionMixin, TemplateView):
    """`model` is the row the URL names; `permission_model` (default `model`) the one whose
    `permission_action` permission the page needs."""

    permission_model = None

    def get_permission_required(self):
        return (perm_name(self.permission_model or self.model, self.permission_action),)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


# ------------------------------------------------------------------------------ working hours


class WorkingHoursView(TeamTimeView):
    """A technician's working week: the firm's default, a preset, or each day's periods."""

    model = Technician
    permission_model = WorkingHours
    permission_action = "change"
    template_name = "skills/working_hours_form.html"

    def get_form(self, technician, data=None):
        rows = list(technician.working_hours.all())
        return WorkingHoursForm(
            data,
            periods=working_periods(rows) if rows else (),
            default_periods=default_working_hours(),
        )

    def get(self, request, *args, **kwargs):
        technician = self.get_object()
        return self.render_to_response(
            self.get_context_data(technician=technician, form=self.get_form(technician))
        )

    def post(self, request, *args, **kwargs):
        technician = self.get_object()
        form = self.get_form(technician, request.POST)
        if form.is_valid():
            try:
                services.working_hours_replace(
                    technician=technician, periods=form.cleaned_data["periods"]
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, f"Saved {technician.name}'s working hours.")
                return redirect("skills:technician_detail", pk=technician.pk)
        return self.render_to_response(self.get_context_data(technician=technician, form=form))


# ------------------------------------------------------------------------------ time off


def time_off_done(request, technician: Technician):
    """Back to the technician's page, or to My skills for a technician's own time off."""
    if technician.user_id == request.user.pk and not selectors.keeps_everyones_time_off(
        request.user
    ):
        return redirect("skills:my_skills")
    return redirect("skills:technician_detail", pk=technician.pk)


def writable_time_off(request, time_off: TimeOff) -> TimeOff:
    if not selectors.time_off_writable(user=request.user, technician=time_off.technician):
        raise PermissionDenied("You can change only your own time off.")
    return time_off


class TimeOffFormView(TeamTimeView):
    template_name = "skills/time_off_form.html"

    def get_time_off(self) -> TimeOff:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        time_off = self.get_time_off()
        form = TimeOffForm(instance=time_off)
        return self.render_to_response(self.get_context_data(time_off=time_off, form=form))

    def post(self, request, *args, **kwargs):
        time_off = self.get_time_off()
        created = time_off.pk is None
        form = TimeOffForm(request.POST, instance=time_off)
        if form.is_valid():
            try:
                saved = services.time_off_save(
                    time_off=None if created else time_off,
                    technician=time_off.technician,
                    fields=form.cleaned_data,
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                verb = "Added" if created else "Saved"
                messages.success(request, f"{verb} {saved.technician.name}'s time off.")
                return time_off_done(request, saved.technician)
        return self.render_to_response(self.get_context_data(time_off=time_off, form=form))


class TimeOffCreateView(TimeOffFormView):
    model = Technician
    permission_model = TimeOff
    permission_action = "add"

    def get_time_off(self):
        return writable_time_off(self.request, TimeOff(technician=self.get_object()))


class TimeOffUpdateView(TimeOffFormView):
    model = TimeOff
    permission_action = "change"

    def get_time_off(self):
        return writable_time_off(
            self.request, selectors.time_off_get(user=self.request.user, pk=self.kwargs["pk"])
        )


class TimeOffDeleteView(TeamTimeView):
    model = TimeOff
    permission_action = "change"
    template_name = "skills/time_off_delete.html"

    def get_time_off(self):
        return writable_time_off(
            self.request, selectors.time_off_get(user=self.request.user, pk=self.kwargs["pk"])
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(time_off=self.get_time_off()))

    def post(self, request, *args, **kwargs):
        time_off = self.get_time_off()
        technician = time_off.technician
        services.time_off_delete(time_off=time_off)
        messages.success(request, f"Removed {technician.name}'s time off {time_off.days_text}.")
        return time_off_done(request, technician)


class TeamCalendarView(FilterRefusalMixin, ModelPermissionMixin, TemplateView):
    """Who is off, a month at a time: each day's count of people away and the month's time
    off, paged; `?month=YYYY-MM`, `?technician=<id>`."""

    model = TimeOff
    template_name = "skills/team_calendar.html"
    paginate_by = 25

    def filter_form(self, context):
        return context["filter_form"]

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        form = TeamCalendarFilterForm(self.request.GET or None, initial={"month": today})
        chosen = form.cleaned_data if form.is_valid() else {}
        month = chosen.get("month") or today
        technician = chosen.get("technician")
        found = selectors.team_calendar(
            user=self.request.user, month=month, today=today, technician=technician
        )
        paginator = Paginator(found.spans, self.paginate_by)
        try:
            page = paginator.page(self.request.GET.get("page") or 1)
        except InvalidPage:
            raise Http404("No such page of time off.") from None
        return super().get_context_data(
            filter_form=form,
            calendar=found,
            technician=technician,
            page_obj=page,
            **kwargs,
        )


# ------------------------------------------------------------------------------ rotas


class RotaListView(ModelPermissionMixin, ListView):
    model = OnCallRota
    template_name = "skills/rota_list.html"
    paginate_by = 25
    context_object_name = "rotas"

    def get_queryset(self):
        return selectors.rota_list(user=self.request.user)


def _rota_turns(rota, members=None):
    members = selectors.rota_members(rota=rota) if members is None else members
    return selectors.rota_turns(rota=rota, members=members, now=timezone.now())


class RotaDetailView(TeamTimeView):
    """The rota's members in order, its hours, and the next eight weeks of turns, in its zone,
    with swaps and covers marked."""

    model = OnCallRota
    template_name = "skills/rota_detail.html"

    def get_context_data(self, **kwargs):
        rota = self.get_object()
        members = selectors.rota_members(rota=rota)
        user = self.request.user
        return super().get_context_data(
            rota=rota,
            members=members,
            week=selectors.rota_week(rota=rota),
            turns=_rota_turns(rota, members),
            weeks=selectors.ROTA_WEEKS,
            can_change=can_change(user, OnCallRota),
            can_override=can_add(user, OnCallOverride),
            member_form=RotaMemberAddForm(),
            **kwargs,
        )


class RotaFormView(TeamTimeView):
    template_name = "skills/rota_form.html"

    def get_rota(self) -> OnCallRota:
        raise NotImplementedError

    def get_forms(self, rota, data=None):
        rows = list(rota.hours.all()) if rota.pk else []
        return (
            RotaForm(data, instance=rota),
            RotaHoursForm(
                data,
                prefix="hours",
                periods=tuple(row.period for row in rows),
                default_periods=default_rota_hours(),
            ),
        )

    def render_forms(self, rota, form, hours_form):
        return self.render_to_response(
            self.get_context_data(rota=rota, form=form, hours_form=hours_form)
        )

    def get(self, request, *args, **kwargs):
        rota = self.get_rota()
        return self.render_forms(rota, *self.get_forms(rota))

    def post(self, request, *args, **kwargs):
        rota = self.get_rota()
        created = rota.pk is None
        form, hours_form = self.get_forms(rota, request.POST)
        if all([form.is_valid(), hours_form.is_valid()]):
            fields = {name: form.cleaned_data[name] for name in RotaForm.Meta.fields}
            fields["starts_at"] = form.cleaned_data["starts_at"]
            try:
                saved = services.rota_save(
                    rota=None if created else rota,
                    fields=fields,
                    periods=hours_form.cleaned_data["periods"],
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(request, f"{'Added' if created else 'Saved'} {saved.name}.")
                return redirect("skills:rota_detail", pk=saved.pk)
        return self.render_forms(rota, form, hours_form)


class RotaCreateView(RotaFormView):
    model = OnCallRota
    permission_action = "add"

    def get_rota(self):
        return OnCallRota()


class RotaUpdateView(RotaFormView):
    model = OnCallRota
    permission_action = "change"

    def get_rota(self):
        return self.get_object()


class RotaMembersView(ModelPermissionMixin, View):
    """Add a member at the end, move one up or down, or take one off: the buttons of the rota
    page. What went wrong is said above the page."""

    model = OnCallRota
    permission_action = "change"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        rota = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        try:
            self.change(rota, request.POST)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("skills:rota_detail", pk=rota.pk)

    def change(self, rota, data):
        if "technician" in data:
            form = RotaMemberAddForm(data)
            if not form.is_valid():
                raise ValidationError(form.errors["technician"])
            technician = form.cleaned_data["technician"]
            services.rota_member_add(rota=rota, technician=technician)
            messages.success(self.request, f"Added {technician.name} to {rota.name}.")
            return
        form = RotaMemberForm(data)
        if not form.is_valid():
            raise ValidationError("Choose a member and what to do.")
        member_id, action = form.cleaned_data["member"], form.cleaned_data["action"]
        if action == "remove":
            services.rota_member_remove(rota=rota, member_id=member_id)
            messages.success(self.request, f"Took the member off {rota.name}.")
        else:
            step = RotaMemberForm.ACTIONS[action]
            services.rota_member_move(rota=rota, member_id=member_id, step=step)


class RotaOverrideView(TeamTimeView):
    """A swap or a cover: the form, then a confirmation of what changes, then the override(s)."""

    model = OnCallRota
    permission_model = OnCallOverride
    permission_action = "add"

    def get_form(self, rota, turns, data=None):
        raise NotImplementedError

    def save(self, rota, form) -> None:
        raise NotImplementedError

    def describe(self, rota, form) -> str:
        """What the valid form changes, in a sentence: asked to confirm, then confirmed."""
        raise NotImplementedError

    def render_form(self, rota, form, *, confirm=False):
        summary = self.describe(rota, form) if confirm else ""
        return self.render_to_response(
            self.get_context_data(rota=rota, form=form, confirm=confirm, summary=summary)
        )

    def get(self, request, *args, **kwargs):
        rota = self.get_object()
        form = self.get_form(rota, _rota_turns(rota))
        turn = id_or_none(request.GET.get("turn"))
        if turn is not None and turn in form.turns:
            form.initial.update(self.initial_for(rota, form.turns[turn]))
        return self.render_form(rota, form)

    def initial_for(self, rota, turn) -> dict:
        """The form's values for the turn chosen on the rota page (`?turn=`)."""
        return {"first": turn.turn}

    def post(self, request, *args, **kwargs):
        rota = self.get_object()
        form = self.get_form(rota, _rota_turns(rota), request.POST)
        if not form.is_valid():
            return self.render_form(rota, form)
        if request.POST.get("confirm") != "yes":
            return self.render_form(rota, form, confirm=True)
        try:
            self.save(rota, form)
        except ValidationError as error:
            apply_validation_error(form, error)
            return self.render_form(rota, form)
        messages.success(request, f"Done: {self.describe(rota, form)}")
        return redirect(reverse("skills:rota_detail", kwargs={"pk": rota.pk}))


class RotaSwapView(RotaOverrideView):
    template_name = "skills/rota_swap.html"

    def get_form(self, rota, turns, data=None):
        return RotaSwapForm(data, turns=turns)

    def save(self, rota, form):
        first, second = form.cleaned_data["first_turn"], form.cleaned_data["second_turn"]
        services.rota_swap(rota=rota, first=first, second=second, note=form.cleaned_data["note"])

    def describe(self, rota, form):
        first, second = form.cleaned_data["first_turn"], form.cleaned_data["second_turn"]
        return (
            f"{second.technician_name} takes the turn {first.text} and "
            f"{first.technician_name} takes the turn {second.text} ({rota.time_zone})."
        )


class RotaCoverView(RotaOverrideView):
    template_name = "skills/rota_cover.html"

    def get_form(self, rota, turns, data=None):
        return RotaCoverForm(data, turns=turns, zone=rota.time_zone)

    def initial_for(self, rota, turn):
        zone = zoneinfo.ZoneInfo(rota.time_zone)
        starts, ends = turn.starts_at.astimezone(zone), turn.ends_at.astimezone(zone)
        return {
            "turn": turn.turn,
            "from_day": starts.date(),
            "from_time": f"{starts:%H:%M}",
            "until_day": ends.date(),
            "until_time": f"{ends:%H:%M}",
        }

    def save(self, rota, form):
        technician = form.cleaned_data["technician"]
        services.override_create(
            rota=rota,
            technician=technician,
            starts_at=form.cleaned_data["starts_at"],
            ends_at=form.cleaned_data["ends_at"],
            note=form.cleaned_data["note"],
        )

    def describe(self, rota, form):
        zone = zoneinfo.ZoneInfo(rota.time_zone)
        turn = form.cleaned_data["turn_row"]
        starts_at, ends_at = form.cleaned_data["starts_at"], form.cleaned_data["ends_at"]
        return (
            f"{form.cleaned_data['technician'].name} covers "
            f"{selectors.moment_text(starts_at, zone)} – {selectors.moment_text(ends_at, zone)} "
            f"({rota.time_zone}) in {turn.technician_name}'s turn."
        )
