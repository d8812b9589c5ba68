"""Roles (as groups) and, on top of them, grid-scoped object permissions."""

# The public API plugins may use (docs/plugins.md, "Reference"); everything else in this
# package is internal. Loaded on first use: see anju.core.public.
from anju.core.public import facade as _facade  # noqa: E402

PUBLIC = {
    "scope_queryset": "scope",
    "is_grid_restricted": "scope",
    "visible_grids": "scope",
    "can_see": "scope",
    "Scope": "urlscope",
    "declare_scope": "urlscope",
    "ScopedViewSetMixin": "urlscope",
    "RolePermissions": "api",
    "GridScopedViewSetMixin": "api",
    "ModelCleanSerializerMixin": "api",
    "ScopedPrimaryKeyRelatedField": "api",
    "drf_validation_error": "api",
    "Role": "roles",
    "COMMITTEE": "roles",
    "GRID_WORKER": "roles",
    "RESIDENT_REP": "roles",
    "SERVICE_STAFF": "roles",
    "RESIDENT": "roles",
    "group_for": "roles",
    # the scoped Wagtail admin base classes
    "GridScopedModelViewSet": "anju.community.admin_views",
    "GridScopedPermissionPolicy": "anju.community.admin_views",
    "ScopedCreateView": "anju.community.admin_views",
    "ScopedDeleteView": "anju.community.admin_views",
    "ScopedEditView": "anju.community.admin_views",
    "ScopedIndexView": "anju.community.admin_views",
    "ScopedInspectView": "anju.community.admin_views",
    "ScopedModelForm": "anju.community.admin_views",
}
__getattr__, __dir__, __all__ = _facade(__name__, PUBLIC)
