from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from agreements.approvals import selectors, services
from agreements.approvals.forms import DecisionForm
from core.formatting import count_text
from skills.proposals.selectors import DECIDE, pending_proposals


class ApprovalQueueView(PermissionRequiredMixin, TemplateView):
    """Pending proposals with what each would change in coverage; tick one or many, approve or
    reject with a comment. Skill approvers only."""

    permission_required = DECIDE
    raise_exception = True
    template_name = "approvals/queue.html"
    paginate_by = 25

    def get_context_data(self, form=None, **kwargs):
        day = timezone.localdate()
        pending = pending_proposals(user=self.request.user)
        paginator = Paginator(pending, self.paginate_by)
        try:
            page = paginator.page(self.request.GET.get("page") or 1)
        except InvalidPage:
            raise Http404("No such page of proposals.") from None
        return super().get_context_data(
            page_obj=page,
            queued=selectors.queued_proposals(page.object_list, day=day),
            time_off=selectors.time_off_entered_by_technicians(day=day),
            form=form or DecisionForm(pending=pending),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = DecisionForm(request.POST, pending=pending_proposals(user=request.user))
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        approve = form.cleaned_data["decision"] == DecisionForm.APPROVE
        decisions = services.skill_proposals_decide(
            proposals=list(form.cleaned_data["proposals"]),
            approver=request.user,
            approve=approve,
            comment=form.cleaned_data["comment"],
        )
        if decisions.decided:
            verb = "Approved" if approve else "Rejected"
            messages.success(request, f"{verb} {count_text(len(decisions.decided), 'proposal')}.")
        for proposal, reason in decisions.refused:
            messages.error(request, f"{proposal.technician.name}, {proposal.change_text}: {reason}")
        return redirect("approvals:queue")
