from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from anju.campaigns.api import ROUTES as CAMPAIGNS_ROUTES
from anju.notices.api import ROUTES as NOTICE_ROUTES
from anju.notices.delivery_api import NoticeDeliveryViewSet
from anju.notify.api import ROUTES as NOTIFY_ROUTES
from anju.register.api.coverage import VisitCoverageAPIView
from anju.register.api.views import ROUTES as COMMUNITY_ROUTES
from anju.services.api import ROUTES as SERVICES_ROUTES

from .auth import MeView, RevokeView, SendCodeView, TokenView
from .views import PlatformView, router
from .wagtail import wagtail_api

for prefix, viewset, basename in (
    *COMMUNITY_ROUTES,
    *NOTICE_ROUTES,
    *SERVICES_ROUTES,
    *CAMPAIGNS_ROUTES,
    *NOTIFY_ROUTES,
):
    router.register(prefix, viewset, basename=basename)
router.register("notice-deliveries", NoticeDeliveryViewSet, basename="notice-delivery")

urlpatterns = [
    path("v2/", wagtail_api.urls),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("platform/", PlatformView.as_view(), name="api-platform"),
    path("auth/code/", SendCodeView.as_view(), name="api-auth-code"),
    path("auth/token/", TokenView.as_view(), name="api-auth-token"),
    path("auth/me/", MeView.as_view(), name="api-auth-me"),
    path("auth/revoke/", RevokeView.as_view(), name="api-auth-revoke"),
    path(
        "community/visit-coverage/",
        VisitCoverageAPIView.as_view(),
        name="api-community-visit-coverage",
    ),
    path("", include(router.urls)),
]
