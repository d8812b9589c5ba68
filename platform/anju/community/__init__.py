"""Community → Grid → Building → Household → Resident, the grid team and the visit log.

The backbone of grid management (网格化服务管理): which grid a row belongs to decides who
may see it (see anju.permissions.scope).
"""
