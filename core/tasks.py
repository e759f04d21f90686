from celery import shared_task

from core.services import worker_heartbeat_record


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def record_worker_heartbeat(self):
    """Records which worker answered and when; safe to run any number of times."""
    worker_heartbeat_record(worker=self.request.hostname or "unknown")
