"""Production: secrets and hosts must come from the environment; HTTPS behind a proxy."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
# A broken plugin is skipped with a logged warning; the site still starts.
PLUGIN_ERRORS_FATAL = env.bool("PLUGIN_ERRORS_FATAL", default=False)
INSTALLED_APPS = with_plugins(CORE_APPS, PLUGIN_ERRORS_FATAL)  # noqa: F405
SECRET_KEY = env("SECRET_KEY")
if SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("SECRET_KEY must be set to a real secret in production.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

# Persistent database connections: a new PostgreSQL connection per request cost about
# 12 ms of CPU (issue 20's profile). Checked before reuse (CONN_HEALTH_CHECKS in base).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)  # noqa: F405

# TLS ends at the load balancer, which says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# Preloading is a one-way commitment an operator opts into; not having it is no defect.
# W019: Wagtail's live preview shows the page in a same-origin frame, so SAMEORIGIN.
SILENCED_SYSTEM_CHECKS = ["security.W019"] + ([] if SECURE_HSTS_PRELOAD else ["security.W021"])
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"  # Wagtail's preview needs same-origin frames

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@localhost")
