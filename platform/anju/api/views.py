from django.conf import settings
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, routers, serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

import anju


class PlatformView(APIView):
    """What this server is: the platform version and its languages. Public."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=inline_serializer(
            "Platform",
            {
                "name": serializers.CharField(),
                "version": serializers.CharField(),
                "language": serializers.CharField(),
                "languages": serializers.ListField(child=serializers.CharField()),
            },
        )
    )
    def get(self, request):
        return Response(
            {
                "name": "anju",
                "version": anju.__version__,
                "language": get_language(),
                "languages": [code for code, _name in settings.LANGUAGES],
            }
        )


class APIRootView(routers.APIRootView):
    """The API's front door: links to every resource, the schema, the docs and pages."""

    permission_classes = [permissions.AllowAny]

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        for name, url_name in (
            ("platform", "api-platform"),
            ("schema", "api-schema"),
            ("docs", "api-docs"),
        ):
            response.data[name] = reverse(url_name, request=request, format=kwargs.get("format"))
        response.data["pages"] = request.build_absolute_uri("/api/v2/pages/")
        response.data.update(plugin_api_links(request))
        return response


def plugin_api_links(request) -> dict[str, str]:
    """{plugin's URL slug: its /api/<slug>/} for each plugin active here that has an API
    (an inactive plugin's API answers 404, so it is not linked)."""
    from anju.plugins.activation import active_for_request
    from anju.plugins.registry import contributions, installed_plugins

    configs = installed_plugins()
    links = {}
    for contribution in contributions("api_routers", active_for_request(request)):
        slug = configs[contribution.plugin].url_slug
        links[slug] = request.build_absolute_uri(f"/api/{slug}/")
    return links


class AnjuRouter(routers.DefaultRouter):
    APIRootView = APIRootView


router = AnjuRouter()
