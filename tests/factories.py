"""factory_boy factories for the core's models. Valid ID numbers, Chinese names."""

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from anju.community.idnumbers import make_id_number
from anju.community.models import (
    Building,
    Community,
    Grid,
    GridTeamMember,
    Household,
    Resident,
    TeamRole,
    Visit,
)

_sequence = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("pw")
    is_staff = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        """``UserFactory(role=roles.GRID_WORKER)`` puts the user in that role's group."""
        if extracted is not None:
            group = Group.objects.get_or_create(name=extracted.name)[0]
            self.groups.add(group)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community
        django_get_or_create = ("code",)

    name = "安居苑社区"
    code = factory.Sequence(lambda n: f"community-{n}")


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    community = factory.SubFactory(CommunityFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda o: f"第{o.number}网格")


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    grid = factory.SubFactory(GridFactory)
    name = factory.Sequence(lambda n: f"{n + 1}号楼")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.SubFactory(BuildingFactory)
    unit = "1单元"
    # A letter prefix: never one of the rooms tests spell out ("101", "201", ...).
    room = factory.Sequence(lambda n: f"F{100 + n}")


def _id_number(resident) -> str:
    return make_id_number("411421", resident.birth_date, next(_sequence) % 1000)


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"居民{n}")
    gender = Resident.Gender.FEMALE
    birth_date = datetime.date(1960, 5, 17)
    id_number = factory.LazyAttribute(_id_number)
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    relation = Resident.Relation.HEAD


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    household = factory.SubFactory(HouseholdFactory)
    visitor = factory.SubFactory(UserFactory)
    basic_situation = "家中一切正常。"


def seat(user, grid, role=TeamRole.GRID_WORKER) -> GridTeamMember:
    """Put ``user`` on ``grid``'s team (which grants the grid's object permissions)."""
    return GridTeamMember.objects.create(grid=grid, user=user, role=role)


def site_of_its_own(title: str, slug: str, hostname: str):
    """A Wagtail site at ``hostname`` whose root is a new page under the tree's root: what
    a second community of a county installation is served from (``Community.site``)."""
    from wagtail.models import Page, Site

    root = Page.get_first_root_node().add_child(instance=Page(title=title, slug=slug))
    return Site.objects.create(hostname=hostname, root_page=root)
