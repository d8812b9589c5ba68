"""County scale (issue 20): two communities in two townships, and every role — the
community's own (committee, grid worker, resident representative), service staff,
partner staff, residents, and the new county staff, township staff and township service
desk staff — sees exactly its own households, residents and cases, the same in the
admin list, the API list and the export; nobody sees another township's.

Township services' cases are routed on filing to the desk of the township of the
requester's household registration (户籍地), falling back to the community's township.
"""

import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from anju.community.models import Community, Resident, TeamRole, Township
from anju.permissions import roles
from anju.permissions.partners import PartnerOrganisation
from anju.permissions.scope import scope_queryset, visible_grids
from anju.services import workflow
from anju.services.models import Case, HandlerRole, Service, ServiceField, Status
from anju.services.visibility import visible_cases
from tests import factories as f
from tests.platform.services.conftest import file_case

pytestmark = pytest.mark.django_db


class County:
    """Townships T1 (安居镇: community A) and T2 (城关镇: community B)."""


def _service(slug, handler_role, community=None):
    service = Service.objects.create(
        title=slug, slug=slug, handler_role=handler_role, community=community
    )
    ServiceField.objects.create(service=service, label="事项", field_type="text", required=True)
    service.snapshot()
    return service


@pytest.fixture
def county(db):
    from anju.plugins.grants import setup_roles

    setup_roles()
    c = County()
    c.t1 = Township.objects.create(code="anju_town", name="安居镇")
    c.t2 = Township.objects.create(code="chengguan", name="城关镇")
    c.a = f.CommunityFactory(code="anjuyuan", name="安居苑", township=c.t1)
    c.b = f.CommunityFactory(code="xinhe", name="新河社区", township=c.t2)
    c.grid_a = f.GridFactory(community=c.a, number=1, name="A一网格")
    c.grid_b = f.GridFactory(community=c.b, number=1, name="B一网格")
    c.hh_a = f.HouseholdFactory(building=f.BuildingFactory(grid=c.grid_a, name="1号楼"))
    c.hh_b = f.HouseholdFactory(building=f.BuildingFactory(grid=c.grid_b, name="9号楼"))
    # res_a lives and is registered in A's township; res_a2 lives in A but is registered
    # in T2 (户籍地); res_b lives in B (T2) with no registration recorded.
    c.res_a = f.ResidentFactory(household=c.hh_a, name="王小明", phone="13800000001")
    c.res_a2 = f.ResidentFactory(
        household=c.hh_a, name="王小红", phone="13800000002", hukou_township=c.t2
    )
    c.res_b = f.ResidentFactory(household=c.hh_b, name="李大红", phone="13800000003")
    u = {}
    u["committee"] = f.UserFactory(username="committee_a", role=roles.COMMITTEE)
    u["grid_worker"] = f.UserFactory(username="worker_a", role=roles.GRID_WORKER)
    u["resident_rep"] = f.UserFactory(username="rep_a", role=roles.RESIDENT_REP)
    u["committee_b"] = f.UserFactory(username="committee_b", role=roles.COMMITTEE)
    u["service_staff"] = f.UserFactory(username="fuwu", role=roles.SERVICE_STAFF)
    u["partner_staff"] = f.UserFactory(username="ranqi", role=roles.PARTNER_STAFF)
    u["resident"] = f.UserFactory(username="jumin", role=roles.RESIDENT, is_staff=False)
    u["county"] = f.UserFactory(username="xianji", role=roles.COUNTY_STAFF)
    u["township_1"] = f.UserFactory(username="xiangzhen1", role=roles.TOWNSHIP_STAFF)
    u["township_2"] = f.UserFactory(username="xiangzhen2", role=roles.TOWNSHIP_STAFF)
    u["desk_1"] = f.UserFactory(username="bianmin1", role=roles.TOWNSHIP_DESK)
    u["desk_2"] = f.UserFactory(username="bianmin2", role=roles.TOWNSHIP_DESK)
    # Deny by default: the role without a township's list, the list without the role.
    u["township_unlisted"] = f.UserFactory(username="xiangzhen0", role=roles.TOWNSHIP_STAFF)
    u["listed_no_role"] = f.UserFactory(username="nobody", role=roles.GRID_WORKER)
    c.users = u
    f.seat(u["committee"], c.grid_a, TeamRole.COMMITTEE)
    f.seat(u["grid_worker"], c.grid_a, TeamRole.GRID_WORKER)
    f.seat(u["resident_rep"], c.grid_a, TeamRole.RESIDENT_REP)
    f.seat(u["committee_b"], c.grid_b, TeamRole.COMMITTEE)
    c.t1.staff.add(u["township_1"], u["listed_no_role"])
    c.t2.staff.add(u["township_2"])
    c.t1.desk_staff.add(u["desk_1"], u["listed_no_role"])
    c.t2.desk_staff.add(u["desk_2"])
    gas = PartnerOrganisation.objects.create(community=c.a, code="gas", name="县燃气公司")
    gas.members.add(u["partner_staff"])

    repair = _service("repair", HandlerRole.GRID_WORKER)
    c.hukou = _service("hukou-proof", HandlerRole.TOWNSHIP)
    c.case_a = file_case(repair, household=c.hh_a, phone="13800000001", name="王小明")
    c.case_b = file_case(repair, household=c.hh_b, phone="13800000003", name="李大红")
    c.desk_a_home = file_case(c.hukou, household=c.hh_a, phone="13800000001", name="王小明")
    c.desk_a_else = file_case(c.hukou, household=c.hh_a, phone="13800000002", name="王小红")
    c.desk_b = file_case(c.hukou, household=c.hh_b, phone="13800000003", name="李大红")
    workflow.hand_over_case(c.case_a, gas, actor=u["committee"])
    return c


REFUSED = None  # the role may not open the list at all

#: role -> the households (by fixture name) it sees; REFUSED: 403 / redirect.
HOUSEHOLDS = {
    "committee": {"hh_a"},
    "grid_worker": {"hh_a"},
    "resident_rep": {"hh_a"},
    "committee_b": {"hh_b"},
    "service_staff": REFUSED,
    "partner_staff": set(),  # may not view households: an empty, scoped nothing or 403
    "resident": REFUSED,
    "county": {"hh_a", "hh_b"},
    "township_1": {"hh_a"},
    "township_2": {"hh_b"},
    "desk_1": REFUSED,
    "desk_2": REFUSED,
    "township_unlisted": set(),
    "listed_no_role": set(),
}
#: role -> the cases it sees (admin inbox, API, export).
CASES = {
    "committee": {"case_a", "desk_a_home", "desk_a_else"},
    "grid_worker": {"case_a", "desk_a_home", "desk_a_else"},
    "resident_rep": {"case_a", "desk_a_home", "desk_a_else"},
    "committee_b": {"case_b", "desk_b"},
    "service_staff": set(),
    "partner_staff": {"case_a"},  # handed over to the gas company
    "resident": REFUSED,
    "county": {"case_a", "case_b", "desk_a_home", "desk_a_else", "desk_b"},
    "township_1": {"case_a", "desk_a_home", "desk_a_else"},
    "township_2": {"case_b", "desk_b"},
    "desk_1": {"desk_a_home"},
    "desk_2": {"desk_a_else", "desk_b"},
    "township_unlisted": set(),
    "listed_no_role": set(),
}
ROLES = list(HOUSEHOLDS)


def _expected(county, names, attr="pk"):
    return {getattr(getattr(county, name), attr) for name in names}


def _residents_of(county, households):
    return {
        r.pk
        for name in households
        for r in getattr(county, name).residents.all()  # every resident of the household
    }


def _xlsx_rows(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(
        load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)
    )


def _api(user):
    client = APIClient()
    client.force_login(user)
    return client


# --- the register: households and residents ---------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_households_and_residents_in_admin_api_and_export(county, client, role):
    user = county.users[role]
    expected = HOUSEHOLDS[role]
    client.force_login(user)
    for model, api_path in (("household", "households"), ("resident", "residents")):
        want = (
            None
            if expected is None
            else (
                _expected(county, expected)
                if model == "household"
                else _residents_of(county, expected)
            )
        )
        admin = client.get(reverse(f"community_{model}:index"))
        api = _api(user).get(f"/api/community/{api_path}/", {"page_size": 100})
        export = client.get(reverse(f"community_{model}:index"), {"export": "xlsx"})
        if want is None or (not want and admin.status_code != 200):
            assert admin.status_code in (302, 403), (role, model)
            assert api.status_code in (401, 403), (role, model)
            assert export.status_code in (302, 403), (role, model)
            continue
        assert admin.status_code == 200, (role, model)
        assert {o.pk for o in admin.context["object_list"]} == want, (role, model)
        assert api.status_code == 200, (role, model)
        assert {row["id"] for row in api.json()["results"]} == want, (role, model)
        assert export.status_code == 200, (role, model)
        assert {int(row[0]) for row in _xlsx_rows(export)[1:]} == want, (role, model)


@pytest.mark.parametrize("role", ROLES)
def test_scope_and_pickers_agree_with_the_lists(county, role):
    """The one scoping function every surface uses (search, pickers and the dashboard
    read ``visible_grids``): nobody sees another township's grid."""
    user = county.users[role]
    households = HOUSEHOLDS[role] or set()
    want_grids = {getattr(county, name).building.grid_id for name in households}
    assert set(visible_grids(user).values_list("pk", flat=True)) == want_grids
    visible = set(scope_queryset(Resident.objects.all(), user).values_list("pk", flat=True))
    assert visible == _residents_of(county, households)


def test_communities_of_a_township_and_the_county(county):
    """The API's community list (and the admin's community filters) follow too."""
    for role, codes in (
        ("county", {"anjuyuan", "xinhe"}),
        ("township_1", {"anjuyuan"}),
        ("township_2", {"xinhe"}),
        ("township_unlisted", set()),
    ):
        response = _api(county.users[role]).get("/api/community/communities/")
        assert response.status_code == 200
        assert {row["code"] for row in response.json()["results"]} == codes, role


# --- cases ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_cases_in_inbox_api_and_export(county, client, role):
    user = county.users[role]
    expected = CASES[role]
    client.force_login(user)
    inbox = client.get(reverse("anju_cases"), {"tab": "all"})
    api = _api(user).get("/api/services/cases/", {"page_size": 100})
    export = client.get(reverse("anju_cases_export"), {"tab": "all"})
    if expected is None:
        assert inbox.status_code in (302, 403)
        assert api.status_code in (401, 403)
        assert export.status_code in (302, 403)
        return
    want = _expected(county, expected, "reference")
    assert visible_cases(user).count() == len(want)
    assert inbox.status_code == 200
    assert {row["case"].reference for row in inbox.context["rows"]} == want
    assert api.status_code == 200
    assert {row["reference"] for row in api.json()["results"]} == want
    # The desk each case was routed to, read back (null / empty: not a township's service).
    desks = _desks(county)
    assert {
        row["reference"]: row["township"] and row["township"]["name"]
        for row in api.json()["results"]
    } == {reference: desks[reference] for reference in want}
    for row in api.json()["results"]:
        if row["township"] is not None:
            township = Township.objects.get(name=row["township"]["name"])
            assert row["township"]["id"] == township.pk
    if export.status_code == 403:  # no export permission (representatives, partners)
        assert not user.has_perm("services.export_case")
        return
    assert export.status_code == 200
    header, *rows = _xlsx_rows(export)
    assert {row[0] for row in rows} == want
    column = header.index("乡镇便民服务站")  # the column's title, translated
    assert {row[0]: row[column] or None for row in rows} == {
        reference: desks[reference] for reference in want
    }


def _desks(county):
    """Case reference -> the name of the township desk it was routed to (None: none)."""
    return {
        county.case_a.reference: None,
        county.case_b.reference: None,
        county.desk_a_home.reference: "安居镇",
        county.desk_a_else.reference: "城关镇",
        county.desk_b.reference: "城关镇",
    }


def test_a_cases_township_in_the_api_detail_and_in_english(county):
    """The detail carries it too (read-only: a PATCH cannot move a case to a desk), and
    the export's column title is in the reader's language."""
    user = county.users["county"]
    api = _api(user)
    detail = api.get(f"/api/services/cases/{county.desk_a_else.reference}/").json()
    assert detail["township"] == {"id": county.t2.pk, "name": "城关镇"}
    assert api.get(f"/api/services/cases/{county.case_a.reference}/").json()["township"] is None
    moved = api.patch(
        f"/api/services/cases/{county.desk_a_else.reference}/",
        {"township": county.t1.pk},
        format="json",
    )
    assert moved.status_code in (403, 405)  # no change_case, or no such method
    county.desk_a_else.refresh_from_db()
    assert county.desk_a_else.township == county.t2
    from anju.services import exports

    with translation.override("en"):
        assert "Township service desk" in exports.headers()
    with translation.override("zh-hans"):
        assert "乡镇便民服务站" in exports.headers()


def test_township_cases_are_routed_to_the_desk_of_the_household_registration(county):
    assert county.desk_a_home.township == county.t1  # nothing recorded: the community's
    assert county.desk_a_else.township == county.t2  # registered (户籍) in 城关镇
    assert county.desk_b.township == county.t2
    assert county.case_a.township is None  # a grid worker's service is not routed
    # They wait at the desk: nobody in particular holds them yet.
    assert {county.desk_a_home.assignee, county.desk_a_else.assignee} == {None}
    assert county.case_a.assignee == county.users["grid_worker"]


def test_a_signed_in_residents_own_registration_decides(county):
    """A resident's account linked to their record: its 户籍地, whatever phone they type."""
    from anju.community.models import ResidentLink

    account = f.UserFactory(username="wangxiaohong", role=roles.RESIDENT, is_staff=False)
    ResidentLink.objects.create(
        user=account, resident=county.res_a2, state=ResidentLink.State.CONFIRMED
    )
    case = file_case(county.hukou, user=account, phone="13900000000", name="王小红")
    assert case.township == county.t2


def test_no_township_anywhere_routes_to_no_desk(county):
    lone = f.CommunityFactory(code="lone", name="未分乡镇的社区")
    household = f.HouseholdFactory(
        building=f.BuildingFactory(grid=f.GridFactory(community=lone, number=1))
    )
    case = file_case(county.hukou, household=household, phone="13700000000")
    assert case.township is None
    assert not visible_cases(county.users["desk_1"]).filter(pk=case.pk).exists()


def test_desk_staff_work_on_their_desks_cases_only(county):
    desk_2 = county.users["desk_2"]
    workflow.transition(county.desk_a_else, Status.ACCEPTED, desk_2)
    county.desk_a_else.refresh_from_db()
    assert county.desk_a_else.status == Status.ACCEPTED
    assert county.desk_a_else.assignee == desk_2  # who takes it on holds it
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.transition(county.desk_a_home, Status.ACCEPTED, desk_2)
    assert refused.value.code == "forbidden"
    # Through the API the other desk's case does not exist for them.
    response = _api(desk_2).post(
        f"/api/services/cases/{county.desk_a_home.reference}/transition/", {"to": "accepted"}
    )
    assert response.status_code == 404


def test_township_staff_read_but_do_not_act(county):
    with pytest.raises(workflow.WorkflowError):
        workflow.transition(county.case_a, Status.ACCEPTED, county.users["township_1"])
    with pytest.raises(workflow.WorkflowError):
        workflow.transition(county.case_b, Status.ACCEPTED, county.users["county"])


def test_a_desk_cannot_be_assigned_another_townships_case(county):
    committee = county.users["committee"]
    desk_1 = county.users["desk_1"]
    with translation.override("zh-hans"):
        with pytest.raises(workflow.WorkflowError) as refused:
            workflow.assign(county.desk_a_else, desk_1, committee)
    assert refused.value.code == "assignee_township"
    assert "便民服务站" in refused.value.message and "城关镇" in refused.value.message
    county.desk_a_else.refresh_from_db()
    assert county.desk_a_else.assignee is None
    # Its own desk's staff may hold it.
    workflow.assign(county.desk_a_else, county.users["desk_2"], committee)
    county.desk_a_else.refresh_from_db()
    assert county.desk_a_else.assignee == county.users["desk_2"]


def test_the_api_refuses_the_wrong_desk_with_a_translated_400(county):
    response = _api(county.users["committee"]).post(
        f"/api/services/cases/{county.desk_a_else.reference}/assign/",
        {"assignee": county.users["desk_1"].pk},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "assignee_township"
    assert "便民服务站" in response.json()["detail"]


# --- the register's own fields ------------------------------------------------------------


def test_the_registration_township_in_the_api(county):
    api = _api(county.users["committee"])
    row = api.get(f"/api/community/residents/{county.res_a2.pk}/").json()
    assert row["hukou_township"] == county.t2.pk
    response = api.patch(
        f"/api/community/residents/{county.res_a.pk}/",
        {"hukou_township": county.t2.pk},
        format="json",
    )
    assert response.status_code == 200, response.json()
    county.res_a.refresh_from_db()
    assert county.res_a.hukou_township == county.t2
    bad = api.patch(
        f"/api/community/residents/{county.res_a.pk}/", {"hukou_township": 999999}, format="json"
    )
    assert bad.status_code == 400 and "hukou_township" in bad.json()


def test_the_township_admin_assigns_communities(county, client):
    root = f.UserFactory(username="root", is_superuser=True)
    client.force_login(root)
    response = client.post(
        reverse("townships:add"),
        {"name": "河口乡", "code": "hekou", "communities": [county.b.pk]},
    )
    assert response.status_code == 302, response.context["form"].errors
    hekou = Township.objects.get(code="hekou")
    assert Community.objects.get(pk=county.b.pk).township == hekou
    # Township staff are refused the county-wide settings page.
    client.force_login(county.users["township_1"])
    assert client.get(reverse("townships:index")).status_code in (302, 403)


def test_a_township_code_is_unique_with_a_clear_error(county):
    township = Township(code="anju_town", name="又一个安居镇")
    with pytest.raises(ValidationError) as error:
        township.full_clean()
    assert "code" in error.value.message_dict


def test_county_scope_is_one_query_whatever_the_size(county):
    """Scoping stays one statement a list for the new roles too, as the rows grow (the
    person's grids are read once per request, before it)."""
    for role in ("county", "township_1", "desk_1"):
        user = county.users[role]
        visible_grids(user)  # once per request
        with CaptureQueriesContext(connection) as few:
            list(scope_queryset(Resident.objects.all(), user))
        for _ in range(3):
            f.ResidentFactory(household=county.hh_b)
        user = type(user).objects.get(pk=user.pk)  # a fresh request's user
        visible_grids(user)
        with CaptureQueriesContext(connection) as many:
            list(scope_queryset(Resident.objects.all(), user))
        assert len(few) == len(many) <= 1, role  # none: a desk sees no grid at all


def test_cases_api_query_count_does_not_grow_for_county_staff(county):
    api = _api(county.users["county"])
    api.get("/api/services/cases/")  # warm caches
    with CaptureQueriesContext(connection) as few:
        api.get("/api/services/cases/")
    repair = Service.objects.get(slug="repair")
    for n in range(4):
        file_case(repair, household=county.hh_b, phone=f"1360000000{n}")
        file_case(county.hukou, household=county.hh_a, phone=f"1370000000{n}")
    with CaptureQueriesContext(connection) as many:
        response = api.get("/api/services/cases/")
    assert response.json()["count"] == 13
    assert len(many) == len(few)
    assert Case.objects.filter(township=county.t1).count() == 5


@pytest.mark.parametrize(
    "role, grids",
    [
        ("county", {"grid_a", "grid_b"}),
        ("township_1", {"grid_a"}),
        ("township_2", {"grid_b"}),
        ("desk_1", set()),
    ],
)
def test_the_dashboard_counts_the_jurisdiction(county, client, role, grids):
    from anju.dashboard.board import build_board

    user = county.users[role]
    board = build_board(user, None)
    assert {g.pk for g in board.grids} == {getattr(county, name).pk for name in grids}
    client.force_login(user)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200
