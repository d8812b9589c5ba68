from wagtail.admin.viewsets.model import ModelViewSet

from anju.permissions import Scope, ScopedViewSetMixin

from .models import Thing


class ThingViewSet(ScopedViewSetMixin, ModelViewSet):
    model = Thing
    grid_scope = Scope.NO_GRID_DATA
    form_fields = ["name", "phone"]
    icon = "pick"
    add_to_admin_menu = True
    menu_label = "Things"


viewsets = [ThingViewSet("dummy_things")]
