"""Development: the embedded default (SQLite, in-process tasks) with DEBUG on."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
INSTALLED_APPS = with_plugins(CORE_APPS, PLUGIN_ERRORS_FATAL)  # noqa: F405
# No manifest needed while runserver serves static files straight from the apps.
# Serve straight from the apps' static folders; no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
