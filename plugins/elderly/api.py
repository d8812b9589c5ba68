"""The API, mounted by the platform at /api/elderly/: the weekly menus and the meals
(bookings and check-ins) — read-only; bookings go through the rules in the portal and
the admin. The platform applies its permission class (model permissions per role)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import routers, serializers, viewsets

from anju.permissions import GridScopedViewSetMixin, Scope
from anju.plugins import TokenScope

from . import canteen
from .models import Dish, Meal, Menu


class DishSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dish
        fields = ["day", "name", "option"]


class MenuSerializer(serializers.ModelSerializer):
    dishes = DishSerializer(many=True, read_only=True)

    class Meta:
        model = Menu
        fields = ["id", "week_start", "published", "note", "dishes"]


class MenuViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Menu.objects.prefetch_related("dishes").order_by("-week_start")
    serializer_class = MenuSerializer
    grid_scope = Scope.NO_GRID_DATA


class MealSerializer(serializers.ModelSerializer):
    resident_name = serializers.CharField(source="resident.name", read_only=True)

    class Meta:
        model = Meal
        fields = [
            "id",
            "resident",
            "resident_name",
            "date",
            "option",
            "status",
            "channel",
            "delivery",
            "price",
            "subsidy",
            "served_at",
            "delivered_at",
        ]


class MealViewSet(GridScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Meal.objects.select_related("resident").order_by("-date", "resident_id")
    serializer_class = MealSerializer

    def get_queryset(self):
        # The canteen's staff see every grid's meals; others their grids'.
        queryset = canteen.visible(self.queryset.all(), self.request.user)
        day = self.request.query_params.get("date")
        if day:
            from django.utils.dateparse import parse_date

            parsed = parse_date(day)
            if parsed:
                queryset = queryset.filter(date=parsed)
        return queryset


router = routers.SimpleRouter()
router.register("menus", MenuViewSet)
router.register("meals", MealViewSet)

#: Another system's key (a screen in the canteen, the county's meal-aid platform) may
#: read the weekly menus; the meals name residents and stay closed to keys.
token_scopes = [
    TokenScope(
        "elderly:menus",
        _("Read the canteen's weekly menus"),
        path="menus/",
        permission="elderly.view_menu",
    )
]
