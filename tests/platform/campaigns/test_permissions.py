"""Permissions per role, identical in the admin, the API and the export: the grid worker
sees and answers only their grids' targets, representatives read, the committee sees all,
service staff nothing unless they run the campaign, residents and anonymous nothing."""

import pytest
from django.urls import reverse

from anju.campaigns.models import Campaign, TargetAnswer

from .conftest import answer_fields

pytestmark = pytest.mark.django_db

#: How many of the round's two targets (grid 1, grid 2) each role sees.
SEES = {
    "superuser": 2,
    "committee": 2,
    "grid_worker": 1,
    "resident_rep": 1,
    "service_staff": 0,
    "resident": 0,
}


def login(client, world, role):
    if role != "anonymous":
        client.force_login(world.users[role])


@pytest.mark.parametrize("role", [*SEES, "anonymous"])
def test_api_targets_per_role(world, client, round_, role):
    login(client, world, role)
    response = client.get("/api/campaigns/targets/")
    if role in ("anonymous",):
        assert response.status_code in (401, 403)
        return
    if role == "resident":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert response.json()["count"] == SEES[role]


@pytest.mark.parametrize("role", [*SEES, "anonymous"])
def test_admin_pages_per_role(world, client, round_, target1, target2, role):
    login(client, world, role)
    progress = client.get(reverse("anju_campaigns:progress"))
    answer2 = client.get(reverse("anju_campaigns:answer", args=[target2.pk]))
    if role in ("anonymous", "resident"):
        assert progress.status_code in (302, 403)
        assert answer2.status_code in (302, 403)
        return
    assert progress.status_code == 200
    if SEES[role] == 2:
        assert answer2.status_code == 200
    elif role == "service_staff":
        assert answer2.status_code == 404
    else:
        assert answer2.status_code == 404  # another grid's household does not exist


@pytest.mark.parametrize(
    ("role", "rows"),
    [
        ("committee", 2),
        ("grid_worker", 1),
        ("resident_rep", None),
        ("service_staff", 0),
        ("superuser", 2),
    ],
)
def test_export_per_role(world, client, round_, role, rows):
    import io

    from openpyxl import load_workbook

    login(client, world, role)
    response = client.get(reverse("anju_campaigns:export", args=[round_.pk]))
    if rows is None:
        assert response.status_code == 403
        return
    if role == "service_staff":
        assert response.status_code == 404  # the campaign is not theirs
        return
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert len(list(sheet.iter_rows(values_only=True))) == 1 + rows


def test_service_staff_see_the_campaign_they_run(
    world, client, campaign, round_, checklist, target2
):
    staff = world.users["service_staff"]
    Campaign.objects.filter(pk=campaign.pk).update(owner=staff)
    client.force_login(staff)
    assert client.get("/api/campaigns/targets/").json()["count"] == 2
    assert client.get("/api/campaigns/campaigns/").json()["count"] == 1
    response = client.post(
        reverse("anju_campaigns:answer", args=[target2.pk]),
        answer_fields(checklist, outcome="done"),
    )
    assert response.status_code == 302


def test_api_answer_per_role_and_bad_input(world, client, round_, target1, target2, checklist):
    field = checklist.current_version.fields[0]["name"]
    body = {"outcome": "done", "answers": {field: "正常"}}
    client.force_login(world.users["resident_rep"])
    response = client.post(
        f"/api/campaigns/targets/{target1.pk}/answer/", body, content_type="application/json"
    )
    assert response.status_code == 403
    client.force_login(world.users["grid_worker"])
    response = client.post(
        f"/api/campaigns/targets/{target2.pk}/answer/", body, content_type="application/json"
    )
    assert response.status_code == 404
    response = client.post(
        f"/api/campaigns/targets/{target1.pk}/answer/",
        {"outcome": "done", "answers": {field: "坏了"}},
        content_type="application/json",
    )
    assert response.status_code == 400 and field in response.json()["answers"]
    response = client.post(
        f"/api/campaigns/targets/{target1.pk}/answer/",
        {"outcome": "maybe"},
        content_type="application/json",
    )
    assert response.status_code == 400
    response = client.post(
        f"/api/campaigns/targets/{target1.pk}/answer/", body, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["answers"] == [
        {"label": "燃气阀门", "value": "正常"},
        {"label": "说明", "value": ""},
    ]
    detail = client.get(f"/api/campaigns/targets/{target1.pk}/").json()
    assert detail["outcome"] == "done" and len(detail["answers"]) == 1
    from anju.campaigns import rounds

    rounds.close_round(round_)
    response = client.post(
        f"/api/campaigns/targets/{target1.pk}/answer/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert TargetAnswer.objects.count() == 1


def test_only_the_committee_reassigns(world, client, round_, target2):
    worker = world.users["grid_worker"]
    client.force_login(worker)
    response = client.post(
        f"/api/campaigns/targets/{target2.pk}/reassign/",
        {"assignee": worker.pk},
        content_type="application/json",
    )
    assert response.status_code in (403, 404)
    client.force_login(world.users["committee"])
    response = client.post(
        f"/api/campaigns/targets/{target2.pk}/reassign/",
        {"assignee": worker.pk},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["assignee"] == worker.pk
    response = client.post(
        f"/api/campaigns/targets/{target2.pk}/reassign/",
        {"assignee": world.users["resident"].pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    # In the admin, too: the targets page's bulk form.
    response = client.post(
        reverse("anju_campaigns:targets", args=[round_.pk]),
        {"target": [target2.pk], "assignee": world.users["committee"].pk},
    )
    assert response.status_code == 302
    target2.refresh_from_db()
    assert target2.assignee == world.users["committee"]


def test_the_household_panel_shows_history_and_due(world, client, round_, target1):
    client.force_login(world.users["grid_worker"])
    url = reverse("community_household:inspect", args=[world.household1.pk])
    html = client.get(url).content.decode()
    assert "data-campaigns-panel" in html
    assert (
        f'data-due-target="{target1.pk}"' in html and f'data-history-target="{target1.pk}"' in html
    )
