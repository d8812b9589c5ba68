"""Who sees which children.

Children's records (enrolments, guardians and the pick-up list, attendance, refused
pick-ups, call tasks) are grid data, as everywhere in Anju: the committee sees its
community's, a grid worker the children of their own grids
(``anju.permissions.scope_queryset`` over each model's ``grid_path``). The classroom's
own staff (the service-staff role, with ``classroom.classroom_wide``) see every child of
the classroom. Resident representatives get no permission on children's records at all:
they have no part in the classroom's care and a child's record is not theirs to read.
"""

from anju.community import Resident
from anju.permissions import is_grid_restricted, scope_queryset

CLASSROOM_WIDE = "classroom.classroom_wide"


def classroom_wide(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.has_perm(CLASSROOM_WIDE) and not is_grid_restricted(user)


def visible(queryset, user):
    """``queryset`` (of a model with ``grid_path``) narrowed to what ``user`` may see."""
    if classroom_wide(user):
        return queryset
    return scope_queryset(queryset, user)


def enrolable_children(user):
    """The residents ``user`` may enrol, for the staff's picker (a search box,
    anju.permissions.pickers): their grids', every grid's for the classroom's staff."""
    return visible(Resident.objects.all(), user)


def can_see(user, obj) -> bool:
    return visible(type(obj)._default_manager.filter(pk=obj.pk), user).exists()
