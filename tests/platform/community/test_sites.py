"""Which community a request is about: each community's own Wagtail site (host name),
never "the first community" for a site nobody claims — except in an installation of
exactly one community, which needs no set-up."""

import pytest
from django.test import RequestFactory
from wagtail.models import Site

from anju.community import current_community
from tests import factories as f

pytestmark = pytest.mark.django_db


def _request(host: str):
    return RequestFactory().get("/", HTTP_HOST=host)


@pytest.fixture
def two_sites(world, settings):
    settings.ALLOWED_HOSTS = ["*"]
    default = Site.objects.get(is_default_site=True)
    return default, f.site_of_its_own("春晖社区", "chunhui", "chunhui.example.cn")


def test_a_single_community_needs_no_set_up(world):
    assert world.community.site_id is None
    assert current_community(_request("localhost")) == world.community


def test_each_community_is_served_by_its_own_site(world, two_sites):
    default, other_site = two_sites
    chunhui = f.CommunityFactory(name="春晖社区", code="chunhui", site=other_site)
    world.community.site = default
    world.community.save()
    assert current_community(_request("localhost")).pk == world.community.pk
    assert current_community(_request("chunhui.example.cn")).pk == chunhui.pk


def test_a_site_nobody_claims_is_not_the_first_communitys(world, two_sites):
    default, other_site = two_sites
    # Before: one community, so the unclaimed default site is its (cached now).
    assert current_community(_request("localhost")) == world.community
    # A second community arrives with its own site; the default site is claimed by
    # neither, and is no longer taken to be Anjuyuan's just because it came first.
    f.CommunityFactory(name="春晖社区", code="chunhui", site=other_site)
    assert current_community(_request("localhost")) is None
    # Claimed, it is Anjuyuan's again at once (the cached answer was forgotten).
    world.community.site = default
    world.community.save()
    assert current_community(_request("localhost")).pk == world.community.pk


def test_the_demo_gives_anjuyuan_its_site():
    from django.core.management import call_command

    from anju.community.models import Community

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    anjuyuan = Community.objects.get(code="anjuyuan")
    assert anjuyuan.site == Site.objects.get(is_default_site=True)
