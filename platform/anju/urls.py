from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from anju.api.app import headless_app
from anju.core.health import health_view
from anju.plugins.mount import api_urlpatterns, portal_urlpatterns

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    # Plugins' APIs at /api/<slug>/, beside the core's own.
    path("api/", include(api_urlpatterns())),
    path("api/", include("anju.api.urls")),
    # Open311 GeoReport v2 over the services engine (anju.api.open311).
    path("open311/v2/", include("anju.api.open311")),
    # The reference headless web app (anju.api.app): the public API only.
    path("app/", headless_app, name="headless-app"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Database, cache, storage, Redis and workers, for load balancers and operators.
    path("health/", health_view(), name="health"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
# MEDIA_URL is never served, not even with DEBUG on: uploads (case attachments, consent
# photos, agreement documents) go out only through permission-checked views
# (anju.core.media.protected_file_response).

# The portal: "/" is Chinese, "/en/" English. Wagtail's page tree serves everything else,
# so it comes last.
urlpatterns += i18n_patterns(
    # Plugins' portal pages and service forms at /services/<slug>/.
    path("services/", include(portal_urlpatterns())),
    # Following a request by reference number, and a resident's own requests.
    path("cases/", include("anju.services.urls")),
    # Residents: sign-in by phone, their own pages, elder mode (anju.residents).
    path("", include("anju.residents.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

# A refused admin page is an admin page saying why; elsewhere the portal's
# (anju.permissions.errors).
handler403 = "anju.permissions.errors.permission_denied"
