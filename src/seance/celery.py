"""The Celery app. With no SEANCE_BROKER_URL, tasks run in-process (settings: always eager)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seance.settings")

app = Celery("seance")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
