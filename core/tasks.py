from celery import shared_task

from core.accounts import password_reset_send
from core.services import worker_heartbeat_record


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def record_worker_heartbeat(self):
    """Records which worker answered and when; safe to run any number of times."""
    worker_heartbeat_record(worker=self.request.hostname or "unknown")


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=5, max_retries=5)
def send_password_reset(*, email: str, domain: str, use_https: bool) -> None:
    """Mail the password reset link to whoever has `email`, if anyone, retrying a refused server;
    the link points at `domain`, the host the request came to."""
    password_reset_send(email=email, domain=domain, use_https=use_https)
