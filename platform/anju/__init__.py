"""Anju (安居) core: the platform every service-area plugin stands on."""

__version__ = "0.1.0"

# Load the Celery app with Django so that @shared_task binds to it (Django's own pattern).
from .celery import app as celery_app  # noqa: E402

__all__ = ["celery_app", "__version__"]
