from celery import shared_task
from django.core.mail import EmailMultiAlternatives

from core.services import worker_heartbeat_record


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def record_worker_heartbeat(self):
    """Records which worker answered and when; safe to run any number of times."""
    worker_heartbeat_record(worker=self.request.hostname or "unknown")


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=5, max_retries=5)
def send_email(*, subject: str, body: str, to: list[str], from_email=None, html=None) -> None:
    """Send one email from the worker (e.g. a password reset link), retrying a refused server."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
