"""Wagtail API v2 for headless clients: published pages, readable by anyone.

Only pages are exposed. Documents and images can sit in private collections that the
v2 endpoints would not respect, so they stay out until a client needs them.
"""

from rest_framework.permissions import AllowAny
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet


class PublicPagesAPIViewSet(PagesAPIViewSet):
    # The project default is "authenticated only"; published pages are public anyway
    # (the viewset itself serves only live, public pages).
    permission_classes = [AllowAny]

    def get_base_queryset(self):
        """Built once per request: Wagtail asks three times (the listing, its filters,
        the count), each time reading every view restriction again."""
        base = getattr(self, "_anju_base_queryset", None)
        if base is None:
            base = self._anju_base_queryset = super().get_base_queryset()
        return base.all()


wagtail_api = WagtailAPIRouter("wagtailapi")
wagtail_api.register_endpoint("pages", PublicPagesAPIViewSet)
