"""Who sees which of the plugin's records about residents.

Grid data, as everywhere in Anju: a grid worker or resident representative sees the
job seekers, enrolments and migrant-work records of their own grids, a committee member
those of the community (``anju.permissions.scope.scope_queryset``). The employment
service station's own staff match seekers to postings and run courses for the whole
community: the ``employment.station_wide`` permission (granted to service staff) lets a
role that is not grid-restricted see job seekers and enrolments of every grid — as the
core lets service staff see every case of a service they handle.
"""

from anju.community import Resident
from anju.permissions import is_grid_restricted, scope_queryset

STATION_WIDE = "employment.station_wide"
#: The models the station-wide permission opens up; migrant work stays with the grids.
STATION_MODELS = {"jobseeker", "enrolment", "attendance"}


def station_wide(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.has_perm(STATION_WIDE) and not is_grid_restricted(user)


def station_residents(user):
    """The residents the station's pickers offer ``user`` (anju.permissions.pickers):
    every grid's for the station's staff — found by name and room, never listed —
    their own grids' for everyone else."""
    residents = Resident.objects.all()
    return residents if station_wide(user) else scope_queryset(residents, user)


def visible(queryset, user):
    """``queryset`` narrowed to what ``user`` may see, in one query."""
    if queryset.model._meta.model_name in STATION_MODELS and station_wide(user):
        return queryset
    return scope_queryset(queryset, user)


def can_see(user, obj) -> bool:
    return visible(type(obj)._default_manager.filter(pk=obj.pk), user).exists()
