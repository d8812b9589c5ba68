"""The household register's staff side (居民档案): the admin and the API over the community
records (anju.community), scoped to the user's grids.

Why a package of its own: ``anju.community`` is data only (models, ID numbers, sites,
figures, the household-panel registry) and knows no roles, so it sits below
``anju.permissions``; the screens and endpoints that show those records to staff need the
grid scope and the roles, so they live here, one layer above ``anju.permissions`` (see
pyproject.toml, "Core layers"). The records stay in ``anju.community`` and keep its app
label, permissions, URL names (``community_<model>:<action>``) and template paths
(``community/admin/...``); the one model here, ``RegisterImport``, records a spreadsheet
import (``imports``, ``tasks``), not a register record.

- ``admin/``  the "Community" menu (one grid-scoped viewset per model, their forms,
  filters and views), "My grids" and its dashboard panel, visit coverage;
- ``api/``    /api/community/... and /api/visit-coverage/;
- ``wagtail_hooks``  registers the admin parts.
"""
