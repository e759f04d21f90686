from celery import shared_task

from skills.lifecycle import lifecycle_refresh_run
from skills.proposals.services import orphan_evidence_delete


@shared_task(acks_late=True)
def refresh_lifecycle() -> list[int]:
    """The scheduled lifecycle refresh from LIFECYCLE_URL (skills.lifecycle); does nothing when
    it is unset. Safe to run twice: data no newer than what is loaded changes nothing. Returns
    the ids of the LifecycleRefresh rows it recorded."""
    return [refresh.pk for refresh in lifecycle_refresh_run()]


@shared_task(name="skills.delete_orphan_evidence")
def delete_orphan_evidence() -> None:
    orphan_evidence_delete()
