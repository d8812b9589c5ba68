"""Roles (as groups) and, on top of them, grid-scoped object permissions."""
