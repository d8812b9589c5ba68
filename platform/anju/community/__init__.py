"""Community → Grid → Building → Household → Resident, the grid team and the visit log.

The backbone of grid management (网格化服务管理): which grid a row belongs to decides who
may see it (see anju.permissions.scope).
"""

# The public API plugins may use (docs/plugins.md, "Reference"); everything else in this
# package is internal. Loaded on first use: see anju.core.public.
from anju.core.public import facade as _facade  # noqa: E402

PUBLIC = {
    "Community": "models",
    "Grid": "models",
    "Building": "models",
    "Household": "models",
    "Resident": "models",
    "Visit": "models",
    "SpecialGroup": "models",
    "TeamRole": "models",
    "GridTeamMember": "models",
    "id_number_digest": "models",
    "residents_acting_for": "models",
    "mask_id_number": "idnumbers",
    "mask_phone": "idnumbers",
    "validate_phone": "idnumbers",
    "validate_id_number": "idnumbers",
    "normalise_id_number": "idnumbers",
    "birth_date_of": "idnumbers",
    "current_community": "sites",
    "community_of_page": "sites",
    "HouseholdPanel": "panels",
}
__getattr__, __dir__, __all__ = _facade(__name__, PUBLIC)
