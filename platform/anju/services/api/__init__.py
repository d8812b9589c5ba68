"""The services engine's REST API (/api/services/...): residents file, track and follow
their requests; staff list, read and work the cases they may see. ``ROUTES`` is
registered on the API router by ``anju.api.urls``; see ``views`` for the endpoints."""

from .views import ROUTES

__all__ = ["ROUTES"]
