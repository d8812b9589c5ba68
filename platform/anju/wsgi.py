import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anju.settings.dev")

application = get_wsgi_application()


def _freeze_start_up_objects() -> None:
    """Load the URL conf (every view, the plugins' included) now, then move everything
    start-up made out of the garbage collector's sight: it lives as long as the process,
    and each full collection walked it all again (about 260,000 objects: a quarter of
    an API list request's CPU, in 150 ms pauses). Objects made later are collected as
    ever."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every URL conf and view
    gc.collect()
    gc.freeze()


_freeze_start_up_objects()
