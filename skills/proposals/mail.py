"""The proposals' emails: the approvers' digest of what arrived (at most one an hour) and the
technician's answer once a proposal is decided. Each claims its work first, so a second run
sends nothing."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.groups import SKILL_APPROVERS
from skills.models import SkillProposal

DIGEST_CLAIM_KEY = "skill-proposals-digest-sent-at"
DIGEST_INTERVAL = datetime.timedelta(hours=1)


def _message(name: str, context: dict, to: list[str]) -> EmailMultiAlternatives:
    context = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"emails/{name}-body.txt", context), to=to
    )
    message.attach_alternative(render_to_string(f"emails/{name}-body.html", context), "text/html")
    return message


def approver_addresses() -> list[str]:
    approvers = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=SKILL_APPROVERS)
        .exclude(email="")
    )
    return sorted(set(approvers.values_list("email", flat=True)))


def skill_proposals_digest_send(*, now: datetime.datetime | None = None) -> int | None:
    """Mail the approvers the pending proposals no digest has named yet, at most once an
    hour. Returns how many it named, or None when the hour's digest has already gone and the
    ones waiting must be sent later."""
    now = now or timezone.now()
    if not SkillProposal.objects.filter(
        state=SkillProposal.State.PENDING, approvers_told_at__isnull=True
    ).exists():
        return 0
    # cache.add writes only when the key is absent: one digest claims each hour.
    if not cache.add(DIGEST_CLAIM_KEY, now.timestamp(), timeout=DIGEST_INTERVAL.total_seconds()):
        return None
    try:
        with transaction.atomic():
            proposals = list(
                SkillProposal.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(state=SkillProposal.State.PENDING, approvers_told_at__isnull=True)
                .select_related("technician", "skill", "certification")
                .order_by("created_at", "pk")
            )
            recipients = approver_addresses()
            if not (proposals and recipients):
                # Nobody to tell yet: the proposals wait for the first approver's digest.
                cache.delete(DIGEST_CLAIM_KEY)
                return 0
            queue_url = settings.SITE_URL + reverse("approvals:queue")
            _message(
                "skill-proposals", {"proposals": proposals, "queue_url": queue_url}, recipients
            ).send()
            SkillProposal.objects.filter(pk__in=[p.pk for p in proposals]).update(
                approvers_told_at=now
            )
    except Exception:
        cache.delete(DIGEST_CLAIM_KEY)  # nothing went out: the retry may send
        raise
    return len(proposals)


def digest_wait_seconds(*, now: datetime.datetime | None = None) -> int:
    """Seconds until this hour's digest claim lapses (at least one minute)."""
    now = now or timezone.now()
    claimed = cache.get(DIGEST_CLAIM_KEY)
    if claimed is None:
        return 60
    lapses = claimed + DIGEST_INTERVAL.total_seconds()
    return max(60, int(lapses - now.timestamp()) + 1)


def skill_proposal_decision_send(*, proposal_id: int) -> bool:
    """Tell the technician what became of their proposal, once; True when this call sent it."""
    with transaction.atomic():
        proposal = (
            SkillProposal.objects.select_for_update(of=("self",))
            .select_related("technician", "decided_by", "skill", "certification")
            .filter(pk=proposal_id, technician_told_at__isnull=True, decided_at__isnull=False)
            .first()
        )
        if proposal is None:
            return False
        _message(
            "skill-proposal-decided",
            {
                "proposal": proposal,
                "my_skills_url": settings.SITE_URL + reverse("skills:my_skills"),
            },
            [proposal.technician.email],
        ).send()
        proposal.technician_told_at = timezone.now()
        proposal.save(update_fields=["technician_told_at"])
    return True
