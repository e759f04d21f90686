import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("covered")
# Everything, time limits included, comes from the CELERY_* settings (config/settings/celery.py).
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
