"""On one installation of many communities (issue 20), a job posting published on a
community's site is for that community's job seekers: listed, and texted, to them only,
as a notice is for its own residents; and a seeker's matches are the postings of their
own community's site and of the county's. A posting on a site that no community claims (a
county's own) is for every seeker, and each text is the seeker's own community's, so
each committee sees its residents' texts in the outbox and no other's."""

import pytest
from django.urls import reverse
from wagtail.models import Site

from anju.community import community_of_page
from anju.notify.models import Message
from plugins.employment.matching import (
    matches,
    notify_matching_seekers,
    postings_for,
    seekers_for,
)
from plugins.employment.models import JobIndexPage
from tests import factories as f

from .conftest import make_posting, make_seeker

pytestmark = pytest.mark.django_db


@pytest.fixture
def chunhui(world):
    """A second community, 春晖社区, on a site of its own, with one job seeker."""
    site = f.site_of_its_own("春晖社区", "chunhui", "chunhui.example.cn")
    other = f.CommunityFactory(name="春晖社区", code="chunhui", site=site)
    building = f.BuildingFactory(grid=f.GridFactory(community=other, number=1), name="8号楼")
    household = f.HouseholdFactory(building=building)
    resident = f.ResidentFactory(household=household, name="钱五", phone="13700005555")
    other.seeker = make_seeker(resident)
    other.board = site.root_page.add_child(instance=JobIndexPage(title="招聘信息", slug="jobs"))
    return other


@pytest.fixture
def ours(world):
    return make_seeker(world.resident1)


def texted(posting) -> dict[str, int | None]:
    messages = Message.objects.filter(dedup_key__startswith=f"employment:posting:{posting.pk}:")
    return {m.phone: m.community_id for m in messages}


def test_a_posting_on_a_communitys_site_is_for_its_seekers_only(world, board, chunhui, ours):
    world.community.site = Site.objects.get(is_default_site=True)
    world.community.save()
    posting = make_posting(board, "缝纫工")
    assert list(seekers_for(posting)) == [ours]
    assert notify_matching_seekers(posting) == 1
    assert texted(posting) == {world.resident1.phone: world.community.pk}

    theirs = make_posting(chunhui.board, "采茶工")
    assert list(seekers_for(theirs)) == [chunhui.seeker]
    assert notify_matching_seekers(theirs) == 1
    assert texted(theirs) == {"13700005555": chunhui.pk}


def test_a_posting_on_a_site_no_community_claims_is_for_every_seeker(board, chunhui, ours):
    # world's community claims no site: with two communities, the default site is nobody's.
    posting = make_posting(board, "保洁员")
    assert set(seekers_for(posting)) == {ours, chunhui.seeker}
    assert notify_matching_seekers(posting) == 2
    # Each text is its seeker's community's.
    assert texted(posting) == {
        ours.resident.phone: ours.resident.community_id,
        "13700005555": chunhui.pk,
    }


def test_the_posting_page_lists_and_texts_only_the_postings_community(
    client, world, board, chunhui, ours
):
    """Through the admin page staff use, as a superuser, who may see every seeker."""
    world.community.site = Site.objects.get(is_default_site=True)
    world.community.save()
    posting = make_posting(board, "缝纫工")
    client.force_login(f.UserFactory(username="root", is_superuser=True, is_staff=True))
    url = reverse("employment_admin:posting", kwargs={"pk": posting.pk})
    page = client.get(url).content.decode()
    assert world.resident1.name in page and "钱五" not in page
    assert client.post(url).status_code == 302
    assert texted(posting) == {world.resident1.phone: world.community.pk}


def test_a_seekers_matches_are_their_communitys_postings_and_the_countys(
    client, world, board, chunhui, ours
):
    """Both ways agree with the rule for one pair, and the admin's and the API's matches
    pages (as a superuser, who may see every seeker) show the same."""
    county = make_posting(board, "保洁员")  # the default site is nobody's: two communities
    theirs = make_posting(chunhui.board, "采茶工")
    assert community_of_page(county) is None and community_of_page(theirs) == chunhui.pk
    for seeker, expected in ((ours, {county}), (chunhui.seeker, {county, theirs})):
        assert set(postings_for(seeker)) == expected
        assert {p for p in (county, theirs) if matches(p, seeker)} == expected
    assert set(seekers_for(theirs)) == {chunhui.seeker}

    client.force_login(f.UserFactory(username="root", is_superuser=True, is_staff=True))
    page = client.get(reverse("employment_admin:seeker_matches", kwargs={"pk": ours.pk}))
    assert "保洁员" in page.content.decode() and "采茶工" not in page.content.decode()
    response = client.get(f"/api/employment/seekers/{ours.pk}/postings/")
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == ["保洁员"]
    response = client.get(f"/api/employment/seekers/{chunhui.seeker.pk}/postings/")
    assert {row["title"] for row in response.json()["results"]} == {"保洁员", "采茶工"}
