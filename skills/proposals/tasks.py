from celery import shared_task

from skills.proposals.mail import (
    digest_wait_seconds,
    skill_proposal_decision_send,
    skill_proposals_digest_send,
)


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=5, max_retries=5)
def send_skill_proposals_digest(self):
    """Mail the approvers what arrived; when this hour's digest has gone, try again once it
    lapses (the proposals that arrive meanwhile go together)."""
    # Run inline (eager) a countdown is not honoured and this would loop; the next proposal
    # after the hour sends what waits.
    if skill_proposals_digest_send() is None and not self.request.is_eager:
        self.apply_async(countdown=digest_wait_seconds())


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=5, max_retries=5)
def send_skill_proposal_decision(proposal_id: int) -> None:
    skill_proposal_decision_send(proposal_id=proposal_id)
