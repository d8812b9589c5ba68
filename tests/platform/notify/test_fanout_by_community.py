"""A notice is for the residents of the community whose site it is published on, whatever
its audience: on one installation of many communities (issue 20), a notice for
"everyone" in one community never reaches another's residents, nor does one for an age
band or a special group. Its messages say their community (the outbox is scoped by
it). A notice on a site no community claims (a county's own) is for everyone."""

import pytest
from wagtail.models import Site

from anju.community.models import Resident, SpecialGroup
from anju.notices.models import Audience, NoticeIndexPage, NoticePage
from anju.notices.tasks import fan_out_notice
from anju.notify.models import Message
from tests import factories as f

from .conftest import draft_notice, make_households, make_residents, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_communities(world):
    """world's community on the default site; 春晖社区 on a site of its own, with three
    residents with phones, one of them in the same special group as world's resident1."""
    default = Site.objects.get(is_default_site=True)
    world.community.site = default
    world.community.save()
    site = f.site_of_its_own("春晖社区", "chunhui", "chunhui.example.cn")
    root = site.root_page
    other = f.CommunityFactory(name="春晖社区", code="chunhui", site=site)
    building = f.BuildingFactory(grid=f.GridFactory(community=other, number=1), name="8号楼")
    theirs = make_residents(make_households(building, 2), 3)
    group = SpecialGroup.objects.create(code="living_alone_test", name="独居")
    group.residents.add(world.resident1, theirs[0])
    world.other, world.other_root, world.theirs, world.group = other, root, theirs, group
    return world


def messaged(page) -> set[int]:
    keys = Message.objects.filter(dedup_key__startswith=f"notice:{page.pk}:").values_list(
        "dedup_key", flat=True
    )
    return {int(key.split(":")[3]) for key in keys}


def phones(residents) -> set[int]:
    return {r.pk for r in residents if r.phone}


@pytest.mark.parametrize(
    "audience",
    [
        {},
        "ages",
        "group",
    ],
    ids=["everyone", "ages", "group"],
)
def test_a_notice_reaches_only_its_own_communitys_residents(
    two_communities, audience, django_capture_on_commit_callbacks
):
    w = two_communities
    if audience == "group":
        audience = {"audience": Audience.GROUPS, "audience_groups": [w.group]}
    page = draft_notice(**({"audience": Audience.AGES} if audience == "ages" else audience))
    if audience == "ages":
        page.audience_age_min, page.audience_age_max = 0, 150
        audience = {"ages": True}
    page = publish(page)
    with django_capture_on_commit_callbacks(execute=True):
        fan_out_notice(page.pk)
    reached = messaged(page)
    assert reached, "nobody reached"
    assert not reached & phones(w.theirs)  # nobody of the other community
    ours = Resident.objects.filter(household__building__grid__community=w.community)
    assert reached <= phones(ours)
    if not audience:
        assert reached == phones(ours)
    assert set(
        Message.objects.filter(dedup_key__startswith=f"notice:{page.pk}:").values_list(
            "community_id", flat=True
        )
    ) == {w.community.pk}
    assert not page.targeted_households().exclude(building__grid__community=w.community).exists()


def test_the_other_communitys_notice_reaches_its_residents(
    two_communities, django_capture_on_commit_callbacks
):
    w = two_communities
    index = w.other_root.add_child(instance=NoticeIndexPage(title="通知公告", slug="notices"))
    page = publish(
        index.add_child(
            instance=NoticePage(title="春晖停水", slug="tingshui", body="<p>停水</p>", live=False)
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        fan_out_notice(page.pk)
    assert messaged(page) == phones(w.theirs)
    assert page.audience_community_id() == w.other.pk


def test_a_notice_on_a_site_no_community_claims_is_for_everyone(
    two_communities, django_capture_on_commit_callbacks
):
    w = two_communities
    w.community.site = None  # the default site is now the county's own
    w.community.save()
    page = publish(draft_notice())
    assert page.audience_community_id() is None
    with django_capture_on_commit_callbacks(execute=True):
        fan_out_notice(page.pk)
    assert messaged(page) == phones(Resident.objects.all())
    assert set(Message.objects.values_list("community_id", flat=True)) == {None}
