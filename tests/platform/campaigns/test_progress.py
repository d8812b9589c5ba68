"""Progress per grid and per campaign — reached, done, to revisit, refused, overdue — in
the admin and the API, the lagging grids marked, the outcomes exported; constant queries."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from anju.campaigns import rounds
from anju.campaigns.models import Outcome, Round, Target
from anju.campaigns.progress import progress
from tests import factories as f

from .conftest import make_campaign

pytestmark = pytest.mark.django_db


def fill(world, grid_building, n, room_start):
    for i in range(n):
        household = f.HouseholdFactory(building=grid_building, room=f"{room_start + i}")
        f.ResidentFactory(household=household)


@pytest.fixture
def busy_round(world):
    """Grid 1: 5 households, 4 done and 1 not at home; grid 2: 5 households, 1 refused."""
    fill(world, world.building1, 4, 301)
    fill(world, world.building2, 4, 401)
    round_ = rounds.start_round(make_campaign(world, title="低保年审", kind="review"))
    grid1 = list(Target.objects.filter(round=round_, grid=world.grid1).order_by("pk"))
    Target.objects.filter(pk__in=[t.pk for t in grid1[:4]]).update(outcome=Outcome.DONE)
    Target.objects.filter(pk=grid1[4].pk).update(outcome=Outcome.NOT_HOME)
    grid2 = list(Target.objects.filter(round=round_, grid=world.grid2).order_by("pk"))
    Target.objects.filter(pk=grid2[0].pk).update(outcome=Outcome.REFUSED)
    return round_


def test_figures_per_grid_and_the_lagging_grid(world, busy_round):
    [entry] = progress(world.users["committee"], [busy_round])
    one, two = entry.grids
    assert (one.grid_name, one.figures.total, one.figures.reached, one.figures.done) == (
        "第一网格",
        5,
        5,
        4,
    )
    assert (one.figures.not_home, one.figures.percent, one.figures.lagging) == (1, 80, False)
    assert (two.figures.total, two.figures.reached, two.figures.refused, two.figures.percent) == (
        5,
        1,
        1,
        20,
    )
    assert two.figures.lagging and entry.lagging_grids == [two]
    assert (entry.figures.total, entry.figures.done, entry.figures.overdue) == (10, 4, 0)


def test_overdue_counts_what_is_still_due_after_the_date(world, busy_round):
    Round.objects.filter(pk=busy_round.pk).update(
        due_on=datetime.date(2020, 1, 1), starts_on=datetime.date(2019, 12, 1)
    )
    busy_round.refresh_from_db()
    [entry] = progress(world.users["committee"], [busy_round])
    assert entry.figures.overdue == 1 + 4  # grid 1's not-at-home, grid 2's four pending


def test_a_grid_worker_counts_only_their_grid(world, busy_round):
    [entry] = progress(world.users["grid_worker"], [busy_round])
    assert [g.grid_name for g in entry.grids] == ["第一网格"] and entry.figures.total == 5


def test_the_admin_page_marks_lagging_grids(world, busy_round, client):
    client.force_login(world.users["committee"])
    html = client.get(reverse("anju_campaigns:progress")).content.decode()
    assert "低保年审" in html and "data-lagging" in html and "data-lagging-grids" in html
    html = client.get(
        reverse("anju_campaigns:campaign", args=[busy_round.campaign_id])
    ).content.decode()
    assert f'data-round-progress="{busy_round.pk}"' in html


def test_the_api_gives_the_same_figures(world, busy_round, client):
    client.force_login(world.users["committee"])
    [data] = client.get("/api/campaigns/progress/").json()
    assert data["figures"]["total"] == 10 and data["lagging_grids"] == ["第二网格"]
    [same] = client.get(f"/api/campaigns/campaigns/{busy_round.campaign_id}/progress/").json()
    assert same["grids"] == data["grids"]


def test_the_export_lists_outcomes_the_reader_may_see(world, busy_round, client):
    client.force_login(world.users["committee"])
    response = client.get(reverse("anju_campaigns:export", args=[busy_round.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 10
    client.force_login(world.users["grid_worker"])
    response = client.get(reverse("anju_campaigns:export", args=[busy_round.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + 5 and all(r[2] == "第一网格" for r in rows[1:])


def queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_progress_costs_the_same_queries_at_any_size(world, busy_round, client):
    client.force_login(world.users["committee"])
    paths = [
        reverse("anju_campaigns:progress"),
        "/api/campaigns/progress/",
        "/api/campaigns/targets/",
        reverse("anju_campaigns:targets", args=[busy_round.pk]),
    ]
    for _ in range(2):
        for path in paths:
            client.get(path)  # warm: session, activation cache, the process's memory
    before = [queries(client, p) for p in paths]
    grid3 = f.GridFactory(community=world.community, number=3, name="第三网格")
    fill(world, f.BuildingFactory(grid=grid3, name="3号楼"), 20, 501)
    rounds.refresh_round(busy_round)
    rounds.start_round(make_campaign(world, title="医保宣传"))
    for path in paths:
        client.get(path)  # the writes above moved the publish generation (a new building)
    after = [queries(client, p) for p in paths]
    assert after == before
