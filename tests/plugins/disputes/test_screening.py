"""Screening rounds (排查): one per grid and month, recorded even when nothing is found;
the committee sees which grids have not screened."""

import datetime

import pytest
from django.db import IntegrityError
from django.utils import timezone

from plugins.disputes.models import ScreeningRound

from .conftest import refused

pytestmark = pytest.mark.django_db

URL = "/admin/disputes/screening/"


def this_month():
    return timezone.localdate().replace(day=1)


def test_one_round_per_grid_and_month(world):
    ScreeningRound.objects.create(grid=world.grid1, month=datetime.date(2026, 3, 15))
    assert ScreeningRound.objects.get().month == datetime.date(2026, 3, 1)
    with pytest.raises(IntegrityError):
        ScreeningRound.objects.create(grid=world.grid1, month=datetime.date(2026, 3, 2))


def test_committee_sees_which_grids_have_not_screened(world, client):
    ScreeningRound.objects.create(grid=world.grid1, month=this_month(), found=0)
    client.force_login(world.users["committee"])
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["missing"] == [world.grid2]
    assert f'data-grid="{world.grid2.pk}" data-screened="no"' in response.content.decode()


def test_grid_worker_records_a_round_with_nothing_found(world, client):
    client.force_login(world.users["grid_worker"])
    response = client.post(
        URL,
        {"grid": world.grid1.pk, "month": this_month().strftime("%Y-%m"), "found": 0, "note": ""},
    )
    assert response.status_code == 302
    screening = ScreeningRound.objects.get()
    assert (screening.grid, screening.found, screening.done_by) == (
        world.grid1,
        0,
        world.users["grid_worker"],
    )
    # recording again replaces it
    client.post(URL, {"grid": world.grid1.pk, "month": this_month().strftime("%Y-%m"), "found": 2})
    assert ScreeningRound.objects.get().found == 2


def test_grid_worker_sees_and_records_only_their_grids(world, client):
    client.force_login(world.users["grid_worker"])
    response = client.get(URL)
    assert [grid for grid, _round in response.context["rows"]] == [world.grid1]
    response = client.post(
        URL, {"grid": world.grid2.pk, "month": this_month().strftime("%Y-%m"), "found": 0}
    )
    assert response.status_code == 400
    assert not ScreeningRound.objects.exists()


def test_resident_rep_may_look_but_not_record(world, client):
    client.force_login(world.users["resident_rep"])
    assert client.get(URL).status_code == 200
    response = client.post(
        URL, {"grid": world.grid1.pk, "month": this_month().strftime("%Y-%m"), "found": 0}
    )
    assert refused(response)
    assert not ScreeningRound.objects.exists()


def test_service_staff_cannot_see_screening(world, client):
    client.force_login(world.users["service_staff"])
    assert refused(client.get(URL))


def test_api_lists_rounds_of_visible_grids(world, client):
    ScreeningRound.objects.create(grid=world.grid1, month=this_month())
    ScreeningRound.objects.create(grid=world.grid2, month=this_month())
    client.force_login(world.users["grid_worker"])
    rows = client.get("/api/disputes/screening-rounds/").json()["results"]
    assert [r["grid"] for r in rows] == [world.grid1.pk]
