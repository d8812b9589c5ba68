"""The Celery application. Tasks are found in every installed app's ``tasks`` module:
the core's and each plugin's, with no list to keep.

Run a worker with ``celery -A anju worker`` and the scheduler with ``celery -A anju beat``.
"""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings.dev")

app = Celery("anju")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def close_old_connections(task=None, **kwargs) -> None:
    """Around each task run by a worker, what Django does around a web request: close a
    database connection past CONN_MAX_AGE or unusable, keep the others (the fix-up no
    longer closes them all: CELERY_DB_REUSE_MAX). Never for a task run in-process
    (``is_eager``): that would close the caller's connection mid-transaction."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections as close

    close()


task_prerun.connect(close_old_connections, weak=False, dispatch_uid="anju.db.before_task")
task_postrun.connect(close_old_connections, weak=False, dispatch_uid="anju.db.after_task")
