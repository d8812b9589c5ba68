"""Pickers of residents (anju.permissions.pickers): search as you type, limited to what
the role may see. A grid worker finds only their grid's residents, the committee the
whole community, service staff nobody without a name and a room — and their searches
are audited and rate-limited. The forms that use a picker never list the register."""

import pytest
from django.urls import reverse
from django.utils import translation

from anju.core.models import AuditEntry
from anju.permissions.pickers import PICK_RESIDENT, grid_residents, sign_source
from plugins.employment.access import station_residents

pytestmark = pytest.mark.django_db

URL = "/admin/pick/residents/"


def pick(client, user, q="", source=grid_residents):
    client.force_login(user)
    return client.get(URL, {"source": sign_source(source), "q": q})


def names(response):
    assert response.status_code == 200, response.content
    return {r["label"].split(" · ")[0] for r in response.json()["results"]}


def test_the_url_is_the_one_the_widget_names():
    assert reverse("permissions_pick_residents") == URL


def test_a_grid_worker_finds_only_their_own_grid(client, world):
    user = world.users["grid_worker"]
    assert names(pick(client, user)) == {"王小明"}  # may browse their own grid
    assert names(pick(client, user, "王")) == {"王小明"}
    assert names(pick(client, user, "李大红")) == set()  # grid 2: as if nobody
    assert names(pick(client, user, "李大红", station_residents)) == set()
    assert not AuditEntry.objects.filter(action=PICK_RESIDENT).exists()


def test_the_committee_finds_the_whole_community(client, world):
    user = world.users["committee"]
    assert names(pick(client, user)) == {"王小明", "李大红"}
    assert names(pick(client, user, "李 201")) == {"李大红"}


def test_service_staff_get_nobody_without_a_name_and_a_room(client, world):
    user = world.users["service_staff"]
    for q in ("", "李", "李大红", "201"):
        response = pick(client, user, q, station_residents)
        assert names(response) == set()
        assert "张三 302" in response.json()["message"]  # says what to type, in Chinese
        assert "房间号" in response.json()["message"] or "room" in response.json()["message"]
    assert names(pick(client, user, "李大红 201", station_residents)) == {"李大红"}
    assert names(pick(client, user, "李大红 101", station_residents)) == set()  # wrong room
    # Their grid scope is empty: the core's default source gives them nobody at all.
    assert names(pick(client, user, "李大红 201")) == set()


def test_a_service_staff_search_is_audited(client, world):
    user = world.users["service_staff"]
    names(pick(client, user, "李大红 201", station_residents))
    entry = AuditEntry.objects.get(action=PICK_RESIDENT)
    assert entry.user == user and entry.object_id == str(world.resident2.pk)
    assert entry.where == "picker"


def test_service_staff_searches_are_rate_limited(client, world, settings):
    settings.PICKER_RATE = "2/h"
    user = world.users["service_staff"]
    for _ in range(2):
        assert pick(client, user, "李大红 201", station_residents).status_code == 200
    refused = pick(client, user, "李大红 201", station_residents)
    assert refused.status_code == 429
    assert refused.json()["results"] == []
    with translation.override("zh-hans"):
        assert "搜索" in refused.json()["message"] or "稍后" in refused.json()["message"]


def test_a_forged_source_is_refused(client, world):
    client.force_login(world.users["committee"])
    response = client.get(URL, {"source": "anju.community.models:Resident", "q": "李"})
    assert response.status_code == 400 and response.json()["results"] == []


def test_people_without_admin_access_cannot_search(client, world):
    client.force_login(world.users["resident"])
    response = client.get(URL, {"source": sign_source(grid_residents), "q": "李大红 201"})
    assert response.status_code in (302, 403)
    assert "李大红" not in response.content.decode()


# --- forms that use a picker ----------------------------------------------------------


@pytest.fixture
def course(world):
    import datetime

    from django.utils import timezone

    from plugins.employment.models import Course

    today = timezone.localdate()
    return Course.objects.create(
        title="家政服务员培训班",
        place="社区服务中心",
        schedule="每周二",
        starts_on=today,
        ends_on=today + datetime.timedelta(days=30),
        capacity=5,
    )


def test_the_enrolment_form_never_lists_the_register(client, world, course):
    from plugins.employment.models import Enrolment

    client.force_login(world.users["service_staff"])
    url = reverse("employment_admin:course", kwargs={"pk": course.pk})
    page = client.get(url).content.decode()
    assert "data-anju-picker" in page
    assert "王小明" not in page and "李大红" not in page
    # Picked by id (what the search box fills in), the enrolment goes through.
    client.post(url, {"action": "enrol", "resident": world.resident2.pk})
    assert Enrolment.objects.filter(resident=world.resident2).exists()
    page = client.get(url).content.decode()
    assert page.count("李大红") == 1  # in the enrolled list, not in a select


def test_the_job_seeker_form_never_lists_the_register(client, world):
    client.force_login(world.users["service_staff"])
    page = client.get(reverse("employment_seekers:add")).content.decode()
    assert "data-anju-picker" in page
    assert "王小明" not in page and "李大红" not in page


def test_the_browsable_api_shows_an_id_box_not_the_residents(client, world):
    client.force_login(world.users["committee"])
    page = client.get("/api/employment/seekers/", HTTP_ACCEPT="text/html").content.decode()
    assert "李大红" not in page and "王小明" not in page


@pytest.mark.parametrize(
    "url",
    [
        "elderly_admin:book",
        "elderly_grants:add",
        "elderly_diners:add",
        "classroom_admin:children",
        "residents_admin_proxy",
    ],
)
def test_staff_forms_that_choose_a_resident_use_the_picker(client, world, url):
    client.force_login(world.users["superuser"])
    response = client.get(reverse(url))
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-anju-picker" in page
    assert "王小明" not in page and "李大红" not in page


def test_a_search_costs_the_same_queries_however_many_match(
    client, world, django_assert_max_num_queries
):
    from tests import factories as f

    for i in range(30):
        f.ResidentFactory(household=world.household2, name=f"李家{i}")
    client.force_login(world.users["service_staff"])
    token = sign_source(station_residents)
    client.get(URL, {"source": token, "q": "李家 201"})  # session and permissions warmed
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"source": token, "q": "李家 201"})
    assert len(response.json()["results"]) == 20  # PICKER_RESULTS
