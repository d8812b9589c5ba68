"""The project's URLs plus one API route that declares whole-community data, as a
plugin's report endpoint would (no core API route declares it today)."""

from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from anju.permissions.urlscope import Scope
from anju.urls import urlpatterns as project_urlpatterns


class CommunityReport(APIView):
    grid_scope = Scope.COMMUNITY

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("api/test-community-report/", CommunityReport.as_view()),
    *project_urlpatterns,
]
