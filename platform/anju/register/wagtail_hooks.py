"""The household register in the staff interface: the "Community" menu with one viewset
per model, the "My grids" page and its dashboard panel, visit coverage. All grid-scoped:
see anju.permissions.admin."""

import copy

from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from anju.permissions.admin.menu import PermissionMenuItem
from anju.permissions.admin.policy import GridScopedPermissionPolicy

from .admin.coverage import VisitCoverageView
from .admin.imports import (
    ImportDetailView,
    ImportStartView,
    ImportStatusView,
    ImportTemplateView,
    ImportUploadView,
)
from .admin.my_grids import MyGridsView, add_my_grids_panel, sees_jurisdiction
from .admin.townships import TownshipViewSet
from .admin.viewsets import GRID_SCOPED_MODELS, CommunityViewSetGroup

# Before anything asks Wagtail for these models' policies (it would create a fallback).
for _model in GRID_SCOPED_MODELS:
    register_permission_policy(_model, GridScopedPermissionPolicy(_model))


@hooks.register("register_admin_viewset")
def register_community_viewsets():
    return CommunityViewSetGroup()


@hooks.register("register_admin_viewset")
def register_townships():
    return TownshipViewSet("townships")


@hooks.register("register_admin_urls")
def register_my_grids_url():
    return [
        path("my-grids/", MyGridsView.as_view(), name="anju_my_grids"),
        path("visit-coverage/", VisitCoverageView.as_view(), name="anju_visit_coverage"),
        path("register-import/", ImportUploadView.as_view(), name="anju_register_import_upload"),
        path(
            "register-import/template.xlsx",
            ImportTemplateView.as_view(),
            name="anju_register_import_template",
        ),
        path("register-import/<int:pk>/", ImportDetailView.as_view(), name="anju_register_import"),
        path(
            "register-import/<int:pk>/start/",
            ImportStartView.as_view(),
            name="anju_register_import_start",
        ),
        path(
            "register-import/<int:pk>/status/",
            ImportStatusView.as_view(),
            name="anju_register_import_status",
        ),
    ]


class MyGridsMenuItem(PermissionMenuItem):
    """ "My grids", or "My communities" for county and township staff, whose page it
    then is (MyGridsView)."""

    def render_component(self, request):
        component = super().render_component(request)
        if sees_jurisdiction(request.user):
            # A copy: menu items are shared by every request.
            component = copy.copy(component)
            component.label = _("My communities")
        return component


@hooks.register("register_admin_menu_item")
def register_my_grids_menu_item():
    return MyGridsMenuItem(
        _("My grids"),
        reverse_lazy("anju_my_grids"),
        name="my-grids",
        icon_name="site",
        order=150,
        permission="community.view_grid",
    )


@hooks.register("register_admin_menu_item")
def register_visit_coverage_menu_item():
    return PermissionMenuItem(
        _("Visit coverage"),
        reverse_lazy("anju_visit_coverage"),
        name="visit-coverage",
        icon_name="doc-full",
        order=160,
        permission="community.view_grid",
    )


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    # Shown to who may import (anju.register.imports.may_import asks the same permissions).
    return PermissionMenuItem(
        _("Import residents"),
        reverse_lazy("anju_register_import_upload"),
        name="register-import",
        icon_name="upload",
        order=170,
        permission="community.add_resident",
    )


@hooks.register("construct_homepage_panels")
def construct_my_grids_panel(request, panels):
    add_my_grids_panel(request, panels)
