"""The roles with the plugins' default grants added."""

from anju.permissions import roles

from .registry import installed_plugins


def plugin_grants() -> dict[str, tuple[str, ...]]:
    """{role code: permissions} declared by every installed plugin."""
    grants: dict[str, tuple[str, ...]] = {}
    for config in installed_plugins().values():
        for role, perms in config.role_permissions.items():
            grants[role] = grants.get(role, ()) + tuple(perms)
    return grants


def setup_roles():
    return roles.setup_roles(extra=plugin_grants())
