"""The services API, staff side: who sees which cases, acting on them through the
workflow (never a 500), constant query counts, figures, and the schema."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve
from django.utils import timezone, translation
from django.utils.translation import gettext
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from anju.permissions.urlscope import Scope, scope_of
from anju.services import workflow
from anju.services.models import Case, CaseEvent, HandlerRole, Level, Status

from .conftest import file_case

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "committee", "grid_worker", "resident_rep", "service_staff", "resident"]
ANONYMOUS = "anonymous"
CASES = "/api/services/cases/"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64

#: Who lists cases at all (services.view_case), and who sees grid 2's.
READERS = {"superuser", "committee", "grid_worker", "resident_rep", "service_staff"}
SEES_GRID_1 = {"superuser", "committee", "grid_worker", "resident_rep"}
SEES_GRID_2 = {"superuser", "committee"}
#: Who may work on a grid-1 case of a grid-worker service.
WORKS_GRID_1 = {"superuser", "committee", "grid_worker"}
ASSIGNS_GRID_1 = {"superuser", "committee"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def client_for(world, role):
    client = APIClient()
    if role != ANONYMOUS:
        client.force_login(world.users[role])
    return client


def zh(message, **params):
    with translation.override("zh-hans"):
        text = gettext(message)
    return text % params if params else text


def url(case, action=""):
    return f"{CASES}{case.reference}/" + (f"{action}/" if action else "")


def expected(role, seen_by, allowed):
    """The status a role gets on a case: 401 signed out, 403 for no view_case, 404 for a
    case out of sight, else 200 if allowed, else 403."""
    if role == ANONYMOUS:
        return 401
    if role not in READERS:
        return 403
    if role not in seen_by:
        return 404
    return 200 if role in allowed else 403


# --- reading -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_the_list_holds_exactly_the_cases_the_user_may_see(
    world, case_in_grid1, case_in_grid2, role
):
    response = client_for(world, role).get(CASES)
    if role not in READERS:
        assert response.status_code == (401 if role == ANONYMOUS else 403)
        return
    assert response.status_code == 200
    references = {c["reference"] for c in response.json()["results"]}
    want = set()
    if role in SEES_GRID_1:
        want.add(case_in_grid1.reference)
    if role in SEES_GRID_2:
        want.add(case_in_grid2.reference)
    assert references == want
    assert response.json()["count"] == len(want)


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_details_inside_and_outside_the_users_grids(world, case_in_grid1, case_in_grid2, role):
    client = client_for(world, role)
    assert client.get(url(case_in_grid1)).status_code == expected(role, SEES_GRID_1, READERS)
    assert client.get(url(case_in_grid2)).status_code == expected(role, SEES_GRID_2, READERS)


def test_a_grid_worker_never_reaches_grid_2(world, case_in_grid2):
    client = client_for(world, "grid_worker")
    assert client.get(CASES, {"grid": world.grid2.pk}).json()["count"] == 0
    assert client.get(url(case_in_grid2)).status_code == 404
    for action, data in (
        ("transition", {"to": "accepted"}),
        ("assign", {"assignee": world.users["grid_worker"].pk}),
        ("comment", {"text": "hi"}),
        ("follow-up", {"settled": True}),
    ):
        assert client.post(url(case_in_grid2, action), data, format="json").status_code == 404
    attachment_url = f"{url(case_in_grid2)}attachments/1/"
    assert client.get(attachment_url).status_code == 404
    case_in_grid2.refresh_from_db()
    assert case_in_grid2.status == Status.SUBMITTED
    assert not case_in_grid2.events.exclude(kind="filed").exists()


def test_service_staff_see_the_cases_of_services_they_handle(world, built_service):
    built_service.handler_role = HandlerRole.SERVICE_STAFF
    built_service.save()
    case = file_case(built_service, household=world.household2)
    client = client_for(world, "service_staff")
    assert [c["reference"] for c in client.get(CASES).json()["results"]] == [case.reference]
    assert client.get(url(case)).status_code == 200
    accepted = client.post(url(case, "transition"), {"to": "accepted"}, format="json")
    assert accepted.status_code == 200, accepted.json()
    assert accepted.json()["assignee"]["id"] == world.users["service_staff"].pk


def test_the_detail_reads_the_whole_case_but_never_the_whole_phone(world, case_in_grid1):
    worker = world.users["grid_worker"]
    workflow.transition(case_in_grid1, Status.ACCEPTED, worker, note="内部备注")
    workflow.comment(
        case_in_grid1,
        worker,
        "现场照片",
        public=True,
        files=[SimpleUploadedFile("现场.png", PNG, content_type="image/png")],
    )
    client = client_for(world, "grid_worker")
    response = client.get(url(case_in_grid1))
    assert response.status_code == 200
    data = response.json()
    assert data["requester_name"] == "王小明"
    assert data["requester_phone_masked"] == case_in_grid1.masked_phone
    assert "requester_phone" not in data
    assert "13812345678" not in json.dumps(data)
    assert data["address"] == world.household1.address
    assert data["grid"] == {"id": world.grid1.pk, "name": world.grid1.name}
    assert data["assignee"]["id"] == worker.pk
    assert data["status"] == "accepted" and data["level"] == "grid"
    assert data["sla_state"] in {"ok", "due_soon"} and data["overdue"] is False
    assert [a["label"] for a in data["answers"]] == ["什么坏了", "详细情况", "紧急程度", "照片"]
    assert data["answers"][0]["value"] == "水管漏水"
    notes = [(e["kind"], e["text"], e["public"]) for e in data["events"]]
    assert ("comment", "内部备注", False) in notes and ("comment", "现场照片", True) in notes
    (attachment,) = data["attachments"]
    assert attachment["name"] == "现场.png" and attachment["public"] is True
    assert data["actions"]["can_work"] is True and data["actions"]["can_assign"] is False
    assert {t["to"] for t in data["actions"]["transitions"]} == {
        "in_progress",
        "resolved",
        "rejected",
        "escalated",
    }
    download = client.get(attachment["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PNG


def test_answers_read_with_the_version_they_were_filed_under(world, built_service, case_in_grid1):
    field = built_service.form_fields.get(label="什么坏了")
    field.label = "故障"
    field.save()
    built_service.snapshot()
    data = client_for(world, "committee").get(url(case_in_grid1)).json()
    assert data["answers"][0]["label"] == "什么坏了"
    assert data["version"] == case_in_grid1.version.number


def test_list_filters(world, built_service, case_in_grid1, case_in_grid2):
    committee = world.users["committee"]
    workflow.transition(case_in_grid2, Status.ACCEPTED, committee)
    Case.objects.filter(pk=case_in_grid1.pk).update(
        accept_due=timezone.now() - timezone.timedelta(hours=1)
    )
    on_behalf = file_case(
        built_service, household=world.household2, filed_by=world.users["grid_worker"]
    )
    client = client_for(world, "committee")

    def refs(**query):
        response = client.get(CASES, query)
        assert response.status_code == 200, response.json()
        return {c["reference"] for c in response.json()["results"]}

    assert refs(status="accepted") == {case_in_grid2.reference}
    assert refs(status=["accepted", "submitted"]) == {
        case_in_grid1.reference,
        case_in_grid2.reference,
        on_behalf.reference,
    }
    assert refs(grid=world.grid1.pk) == {case_in_grid1.reference}
    assert refs(service="repair", level="grid") == {
        case_in_grid1.reference,
        case_in_grid2.reference,
        on_behalf.reference,
    }
    assert refs(service="nothing") == set()
    assert refs(overdue="true") == {case_in_grid1.reference}
    assert case_in_grid1.reference not in refs(overdue="false")
    assert refs(on_behalf="true") == {on_behalf.reference}
    assert refs(assignee="me") == {case_in_grid2.reference}
    assert refs(assignee=world.users["grid_worker"].pk) == {case_in_grid1.reference}
    today = timezone.localdate().isoformat()
    assert len(refs(created_from=today, created_to=today)) == 3
    assert refs(created_from="2999-01-01") == set()
    assert client.get(CASES, {"created_from": "not a date"}).status_code == 400
    assert client.get(CASES, {"status": "nonsense"}).status_code == 400


def test_paging(world, built_service):
    for _ in range(3):
        file_case(built_service, household=world.household1)
    data = client_for(world, "committee").get(CASES, {"page_size": 2}).json()
    assert data["count"] == 3 and len(data["results"]) == 2 and data["next"]


def _query_count(client, path):
    client.get(path)  # warm the per-process caches (content types, permissions)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["committee", "grid_worker", "superuser"])
def test_the_list_runs_a_constant_number_of_queries(world, built_service, role):
    client = client_for(world, role)
    for _ in range(2):
        file_case(built_service, household=world.household1)
    two = _query_count(client, CASES)
    for _ in range(10):
        file_case(built_service, household=world.household1)
    assert client.get(CASES).json()["count"] == 12
    assert _query_count(client, CASES) == two


def test_the_lists_own_rows_are_what_the_declared_fields_make(world, built_service, case_in_grid1):
    """The list writes its rows out by hand (CaseListSerializer.to_representation): the
    same keys, in the same order, and the same values as DRF's generic path over the
    fields the schema declares — for cases with and without a grid, household,
    assignee or township desk, open, overdue and done, and in both languages."""
    from rest_framework import serializers
    from rest_framework.test import APIRequestFactory

    from anju.community.models import Township
    from anju.services.api.serializers import CaseListSerializer

    committee = world.users["committee"]
    nobody_holds = file_case(built_service, household=None, phone="02112345678")
    Case.objects.filter(pk=nobody_holds.pk).update(grid=None, assignee=None)
    desk = Township.objects.create(code="anju_town", name="安居镇")
    at_desk = file_case(built_service, household=world.household2, phone="13900001111")
    Case.objects.filter(pk=at_desk.pk).update(
        township=desk, accept_due=timezone.now() - timezone.timedelta(hours=2)
    )
    done = file_case(built_service, household=world.household1)
    workflow.transition(done, Status.ACCEPTED, committee)
    workflow.transition(done, Status.RESOLVED, committee)
    request = APIRequestFactory().get(CASES)
    request.user = committee
    cases = list(
        CaseListSerializer.queryset().filter(
            pk__in=[case_in_grid1.pk, nobody_holds.pk, at_desk.pk, done.pk]
        )
    )
    assert {c.township_id for c in cases} == {None, desk.pk}
    assert {c.grid_id is None for c in cases} == {True, False}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for case in cases:
                serializer = CaseListSerializer(context={"request": request})
                fast = serializer.to_representation(case)
                generic = serializers.ModelSerializer.to_representation(
                    CaseListSerializer(context={"request": request}), case
                )
                assert list(fast) == list(generic) == CaseListSerializer.Meta.fields
                assert fast == dict(generic), (language, case.reference)
                assert json.dumps(fast) == json.dumps(dict(generic))


def test_the_detail_runs_a_constant_number_of_queries(world, case_in_grid1):
    client = client_for(world, "grid_worker")
    worker = world.users["grid_worker"]

    def add(n):
        for i in range(n):
            workflow.comment(
                case_in_grid1,
                worker,
                f"备注 {i}",
                public=bool(i % 2),
                files=[SimpleUploadedFile(f"{i}.png", PNG, content_type="image/png")],
            )

    add(2)
    two = _query_count(client, url(case_in_grid1))
    add(10)
    assert len(client.get(url(case_in_grid1)).json()["events"]) == 13
    assert _query_count(client, url(case_in_grid1)) == two


# --- acting --------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_transition_by_role(world, case_in_grid1, role):
    response = client_for(world, role).post(
        url(case_in_grid1, "transition"), {"to": "accepted", "note": "收到"}, format="json"
    )
    assert response.status_code == expected(role, SEES_GRID_1, WORKS_GRID_1)
    case_in_grid1.refresh_from_db()
    if response.status_code == 200:
        assert response.json()["status"] == "accepted"
        assert case_in_grid1.status == Status.ACCEPTED
    else:
        assert case_in_grid1.status == Status.SUBMITTED
    if response.status_code == 403 and role == "resident_rep":
        assert response.json()["detail"] == zh("You may not change this case.")


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_assign_by_role(world, case_in_grid1, role):
    case_in_grid1.assignee = None
    case_in_grid1.save()
    response = client_for(world, role).post(
        url(case_in_grid1, "assign"), {"assignee": world.users["grid_worker"].pk}, format="json"
    )
    assert response.status_code == expected(role, SEES_GRID_1, ASSIGNS_GRID_1)
    case_in_grid1.refresh_from_db()
    assert (case_in_grid1.assignee_id is not None) == (response.status_code == 200)


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_comment_by_role(world, case_in_grid1, role):
    response = client_for(world, role).post(
        url(case_in_grid1, "comment"), {"text": "已联系", "public": True}, format="json"
    )
    allowed = expected(role, SEES_GRID_1, WORKS_GRID_1)
    assert response.status_code == (201 if allowed == 200 else allowed)
    made = CaseEvent.objects.filter(case=case_in_grid1, kind="comment").count()
    assert made == (1 if allowed == 200 else 0)


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_follow_up_by_role(world, case_in_grid1, role):
    worker = world.users["grid_worker"]
    workflow.transition(case_in_grid1, Status.ACCEPTED, worker)
    workflow.transition(case_in_grid1, Status.RESOLVED, worker)
    response = client_for(world, role).post(
        url(case_in_grid1, "follow-up"), {"settled": True, "satisfaction": 4}, format="json"
    )
    assert response.status_code == expected(role, SEES_GRID_1, WORKS_GRID_1)
    case_in_grid1.refresh_from_db()
    if response.status_code == 200:
        assert case_in_grid1.status == Status.CLOSED and case_in_grid1.satisfaction == 4
        assert response.json()["status"] == "closed"
    else:
        assert case_in_grid1.status == Status.RESOLVED


def test_refused_changes_are_400s_with_the_reason(world, case_in_grid1):
    client = client_for(world, "grid_worker")
    jump = client.post(url(case_in_grid1, "transition"), {"to": "resolved"}, format="json")
    assert jump.status_code == 400
    assert jump.json()["code"] == "transition"
    assert jump.json()["detail"] == zh(
        "A case that is “%(from)s” cannot become “%(to)s”.",
        **{"from": zh("Submitted"), "to": zh("Resolved")},
    )
    no_reason = client.post(url(case_in_grid1, "transition"), {"to": "rejected"}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "reason_required"
    closing = client.post(url(case_in_grid1, "transition"), {"to": "closed"}, format="json")
    assert closing.status_code == 400 and "to" in closing.json()
    unknown = client.post(url(case_in_grid1, "transition"), {"to": "flying"}, format="json")
    assert unknown.status_code == 400 and "to" in unknown.json()
    early = client.post(url(case_in_grid1, "follow-up"), {"settled": True}, format="json")
    assert early.status_code == 400 and early.json()["code"] == "transition"
    bad_score = client.post(
        url(case_in_grid1, "follow-up"), {"settled": True, "satisfaction": 9}, format="json"
    )
    assert bad_score.status_code == 400 and "satisfaction" in bad_score.json()
    empty = client.post(url(case_in_grid1, "comment"), {"text": " "}, format="json")
    assert empty.status_code == 400 and empty.json()["code"] == "empty"
    for junk in ([], "x", {"to": None}):
        assert client.post(url(case_in_grid1, "transition"), junk, format="json").status_code == 400
    case_in_grid1.refresh_from_db()
    assert case_in_grid1.status == Status.SUBMITTED


def test_assigning_someone_who_cannot_hold_the_case(world, case_in_grid1, case_in_grid2):
    from tests import factories as f

    client = client_for(world, "committee")
    stranger = f.UserFactory(username="stranger")
    response = client.post(url(case_in_grid1, "assign"), {"assignee": stranger.pk}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "assignee"
    missing = client.post(url(case_in_grid1, "assign"), {"assignee": 999999}, format="json")
    assert missing.status_code == 400 and "assignee" in missing.json()
    unassign = client.post(url(case_in_grid1, "assign"), {"assignee": None}, format="json")
    assert unassign.status_code == 200 and unassign.json()["assignee"] is None


def test_escalating_keeps_the_staff_note_private(world, case_in_grid1):
    client = client_for(world, "grid_worker")
    response = client.post(
        url(case_in_grid1, "transition"),
        {"to": "escalated", "reason": "涉及多户", "note": "内部：户主难沟通"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    case_in_grid1.refresh_from_db()
    assert case_in_grid1.level == Level.COMMUNITY and case_in_grid1.status == Status.ESCALATED
    public = list(case_in_grid1.events.filter(public=True).values_list("text", flat=True))
    assert "涉及多户" in public and not any("户主难沟通" in t for t in public)
    assert case_in_grid1.events.filter(public=False, text="内部：户主难沟通").exists()
    again = client.post(url(case_in_grid1, "transition"), {"to": "escalated"}, format="json")
    assert again.status_code in (400, 403)


def test_a_comment_with_a_file(world, case_in_grid1, settings):
    client = client_for(world, "grid_worker")
    ok = client.post(
        url(case_in_grid1, "comment"),
        {"text": "", "file": SimpleUploadedFile("a.png", PNG, content_type="image/png")},
        format="multipart",
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["kind"] == "attachment" and ok.json()["public"] is False
    settings.SERVICES_MAX_UPLOAD_BYTES = 10
    too_big = client.post(
        url(case_in_grid1, "comment"),
        {"text": "看图", "file": SimpleUploadedFile("b.png", PNG, content_type="image/png")},
        format="multipart",
    )
    assert too_big.status_code == 400 and list(too_big.json()) == ["file"]
    wrong = client.post(
        url(case_in_grid1, "comment"),
        {"text": "看图", "file": SimpleUploadedFile("c.exe", b"MZ")},
        format="multipart",
    )
    assert wrong.status_code == 400 and list(wrong.json()) == ["file"]
    assert case_in_grid1.attachments.count() == 1
    assert not case_in_grid1.events.filter(text="看图").exists()


# --- figures -------------------------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLES, ANONYMOUS])
def test_figures_by_role(world, case_in_grid1, case_in_grid2, role):
    pytest.importorskip("anju.services.figures")
    response = client_for(world, role).get("/api/services/figures/")
    assert response.status_code == expected(role, READERS, READERS)


def test_figures_are_over_the_visible_cases_only(world, case_in_grid1, case_in_grid2):
    figures = pytest.importorskip("anju.services.figures")
    from anju.services.visibility import visible_cases

    user = world.users["grid_worker"]
    response = client_for(world, "grid_worker").get(
        "/api/services/figures/", {"start": "2000-01-01", "end": "2999-12-31"}
    )
    assert response.status_code == 200
    assert response.json() == json.loads(
        json.dumps(
            figures.compute(
                visible_cases(user),
                start=timezone.datetime(2000, 1, 1).date(),
                end=timezone.datetime(2999, 12, 31).date(),
            ).as_dict(),
            default=str,
        )
    )
    bad = client_for(world, "grid_worker").get("/api/services/figures/", {"start": "soon"})
    assert bad.status_code == 400 and "start" in bad.json()


# --- routes and schema ---------------------------------------------------------------

PATHS = [
    "/api/services/forms/",
    "/api/services/forms/{slug}/",
    "/api/services/forms/{slug}/submit/",
    "/api/services/track/",
    "/api/services/my-cases/",
    "/api/services/my-cases/{reference}/",
    "/api/services/cases/",
    "/api/services/cases/{reference}/",
    "/api/services/cases/{reference}/transition/",
    "/api/services/cases/{reference}/assign/",
    "/api/services/cases/{reference}/comment/",
    "/api/services/cases/{reference}/follow-up/",
    "/api/services/cases/{reference}/attachments/{attachment_id}/",
    "/api/services/figures/",
]


def test_the_schema_describes_every_services_path(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate(schema)
    missing = [p for p in PATHS if p not in schema["paths"]]
    assert not missing
    assert "post" in schema["paths"]["/api/services/forms/{slug}/submit/"]
    assert "post" in schema["paths"]["/api/services/track/"]


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("/api/services/forms/", Scope.PUBLIC),
        ("/api/services/forms/repair/submit/", Scope.PUBLIC),
        ("/api/services/track/", Scope.PUBLIC),
        ("/api/services/my-cases/", Scope.NO_GRID_DATA),
        ("/api/services/cases/", Scope.GRID),
        ("/api/services/cases/12345678/transition/", Scope.GRID),
        ("/api/services/figures/", Scope.GRID),
    ],
)
def test_routes_declare_their_grid_scope(path, scope):
    match = resolve(path)
    assert scope_of(match.func, match.view_name, match.route) == scope
