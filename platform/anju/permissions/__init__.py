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
    "PARTNER_STAFF": "roles",
    "COUNTY_STAFF": "roles",
    "TOWNSHIP_STAFF": "roles",
    "TOWNSHIP_DESK": "roles",
    # partner organisations and what is handed over to them
    "PartnerOrganisation": "partners",
    "Handover": "partners",
    "hand_over": "partners",
    "handed_over_ids": "partners",
    "handovers_of": "partners",
    "partner_organisations_of": "partners",
    "group_for": "roles",
    # pickers of residents: search as you type, scoped (anju.permissions.pickers)
    "ResidentPickerField": "pickers",
    "use_picker": "pickers",
    "grid_residents": "pickers",
    # the scoped Wagtail admin base classes
    "GridScopedModelViewSet": "admin.viewsets",
    "CommunityScopedModelViewSet": "admin.viewsets",
    "visible_communities": "scope",
    "GridScopedPermissionPolicy": "admin.policy",
    "ScopedCreateView": "admin.views",
    "ScopedDeleteView": "admin.views",
    "ScopedEditView": "admin.views",
    "ScopedIndexView": "admin.views",
    "ScopedInspectView": "admin.views",
    "ScopedModelForm": "admin.forms",
    "PermissionMenuItem": "admin.menu",
    "PermissionViewSet": "admin.menu",
}
__getattr__, __dir__, __all__ = _facade(__name__, PUBLIC)
