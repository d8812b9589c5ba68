"""The scoped admin base classes this package builds on, imported in one place: the
modules that define them are being reorganised, and only this file should need to
follow."""

from anju.permissions.scope import scope_queryset, visible_grids  # noqa: F401
from anju.permissions.urlscope import Scope, ScopedViewSetMixin, declare_scope  # noqa: F401
