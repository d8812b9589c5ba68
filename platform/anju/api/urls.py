from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from .views import PlatformView, router
from .wagtail import wagtail_api

urlpatterns = [
    path("v2/", wagtail_api.urls),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("platform/", PlatformView.as_view(), name="api-platform"),
    path("", include(router.urls)),
]
