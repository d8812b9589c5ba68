from rest_framework import routers, serializers, viewsets

from anju.permissions import Scope
from anju.plugins import TokenScope

from .models import Thing


class ThingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Thing
        fields = ["id", "name"]


class ThingViewSet(viewsets.ModelViewSet):
    queryset = Thing.objects.order_by("pk")
    serializer_class = ThingSerializer
    grid_scope = Scope.NO_GRID_DATA


router = routers.SimpleRouter()
router.register("things", ThingViewSet)

#: Another system's key may read the things (anju.api.scopes): nothing else here.
token_scopes = [
    TokenScope(
        "dummy_plugin:things",
        "Read the things",
        path="things/",
        permission="dummy_plugin.view_thing",
    )
]
