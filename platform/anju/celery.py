"""The Celery application. Tasks are found in every installed app's ``tasks`` module:
the core's and each plugin's, with no list to keep.

Run a worker with ``celery -A anju worker`` and the scheduler with ``celery -A anju beat``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings.dev")

app = Celery("anju")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
