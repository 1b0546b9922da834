"""Celery application. Without CELERY_BROKER_URL tasks run eagerly in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "skincare.settings")
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Prefork pool processes write their task metrics there; /metrics merges what shares the directory.
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

app = Celery("skincare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
