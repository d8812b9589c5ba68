"""The scoped Wagtail admin base classes every staff view of grid data is built on, so
permission is checked the same way in every listing, page, form, filter and export:

- ``views``     ``GridScopedQuerysetMixin`` and the Scoped{Index,Create,Edit,Copy,Delete,
  Inspect,History,Usage}View classes: only rows in grids the user may see, a 404 for
  any other id whatever the role;
- ``viewsets``  ``GridScopedModelViewSet``: a ModelViewSet made of those views;
- ``policy``    ``GridScopedPermissionPolicy``: Wagtail's per-instance checks, scope-aware;
- ``forms``     ``ScopedModelForm``: foreign-key choices limited to visible rows;
- ``filters``   ``grid_filter``: a listing filter offering only the user's grids;
- ``menu``      ``PermissionMenuItem``: a menu entry shown only with a permission.

Plugins get them from ``anju.permissions`` (its PUBLIC map). (Django's admin
autodiscovery imports this package; it imports nothing itself.)
"""
