"""The community models over REST (/api/community/...), scoped to the user's grids.

Viewsets are registered on ``anju.api.views.router`` by ``anju.api.urls``; the scoping
and permission rules they share with plugins live in ``anju.permissions.api``.
"""
