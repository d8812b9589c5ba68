"""Every admin view, API endpoint and export of the plugin, per role: allowed roles get
the page, the others are refused; a grid worker never sees another grid's elders."""

import pytest
from django.urls import reverse
from django.utils import timezone

from anju.permissions import GRID_WORKER
from plugins.elderly.models import Meal
from tests import factories as f

pytestmark = pytest.mark.django_db

STAFF = {"committee", "grid_worker", "resident_rep", "service_staff"}
ROLES = ["committee", "grid_worker", "resident_rep", "service_staff", "resident", None]

#: admin URL name (with an args factory) → roles that may open it
VIEWS = {
    "elderly_admin:counter": {"committee", "grid_worker", "service_staff"},
    "elderly_admin:kitchen": STAFF,
    "elderly_admin:kitchen_print": STAFF,
    "elderly_admin:delivery": STAFF,
    "elderly_admin:book": {"committee", "grid_worker", "service_staff"},
    "elderly_admin:eligible": STAFF,
    "elderly_admin:report": {"committee", "service_staff"},
    "elderly_admin:welfare": {"committee", "grid_worker", "resident_rep"},
    "elderly_admin:figures": STAFF,
    "elderly_grants:index": STAFF,
    "elderly_grants:add": {"committee"},
    "elderly_diners:index": {"committee", "grid_worker", "service_staff"},
    "elderly_menus:index": STAFF,
    "elderly_menus:add": {"committee", "service_staff"},
    "elderly_activities:index": STAFF,
    "elderly_rooms:index": {"committee", "service_staff"},
    "elderly_room_bookings:index": {"committee", "service_staff"},
}


def _login(client, world, role):
    if role is not None:
        client.force_login(world.users[role])


def _refused(response) -> bool:
    if response.status_code in (403, 404):
        return True
    return response.status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_admin_views_per_role(world, elders, client, role):
    _login(client, world, role)
    for name, allowed in VIEWS.items():
        response = client.get(reverse(name))
        if role in allowed:
            assert response.status_code == 200, (name, role, response.status_code)
        else:
            assert _refused(response), (name, role, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_bureau_export_per_role(world, elders, client, role):
    _login(client, world, role)
    response = client.get(reverse("elderly_admin:report") + "?format=xlsx")
    if role in {"committee", "service_staff"}:
        assert response.status_code == 200
        assert "spreadsheet" in response["Content-Type"]
    else:
        assert _refused(response) and "spreadsheet" not in response.get("Content-Type", "")


@pytest.mark.parametrize("role", ROLES)
def test_statement_per_role_and_grid(world, elders, client, role):
    _login(client, world, role)
    own = client.get(reverse("elderly_admin:statement", args=[elders.li.pk]))  # grid 1
    other = client.get(reverse("elderly_admin:statement", args=[elders.other.pk]))  # grid 2
    if role in {"committee", "service_staff"}:
        assert own.status_code == other.status_code == 200
    elif role in {"grid_worker", "resident_rep"}:
        assert own.status_code == 200 and other.status_code == 404
    else:
        assert _refused(own) and _refused(other)


@pytest.mark.parametrize("role", ROLES)
def test_api_per_role(world, elders, client, role):
    today = timezone.localdate()
    Meal.objects.create(resident=elders.li, date=today)
    Meal.objects.create(resident=elders.other, date=today)
    _login(client, world, role)
    meals = client.get("/api/elderly/meals/")
    menus = client.get("/api/elderly/menus/")
    if role in STAFF:
        assert meals.status_code == menus.status_code == 200
        names = {row["resident_name"] for row in meals.json()["results"]}
        if role in {"committee", "service_staff"}:
            assert names == {"李福", "赵大爷"}
        else:
            assert names == {"李福"}
    else:
        assert meals.status_code in (401, 403) and menus.status_code in (401, 403)


def test_grid_worker_of_another_grid(world, elders, client):
    other = f.UserFactory(username="gw2", role=GRID_WORKER)
    f.seat(other, world.grid2)
    client.force_login(other)
    Meal.objects.create(resident=elders.li, date=timezone.localdate())
    assert client.get(reverse("elderly_admin:statement", args=[elders.li.pk])).status_code == 404
    html = client.get(reverse("elderly_admin:eligible")).content.decode()
    assert "赵大爷" in html and "李福" not in html and "张桂兰" not in html
    assert client.get("/api/elderly/meals/").json()["results"] == []
    response = client.post(reverse("elderly_admin:check_in", args=[elders.li.pk]))
    assert response.status_code == 404
    assert Meal.objects.get().served_at is None


def test_eligible_list_per_grid_queries_constant(world, elders, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import years_ago

    client.force_login(world.users["committee"])
    url = reverse("elderly_admin:eligible")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(8):
        f.ResidentFactory(household=world.household2, birth_date=years_ago(80), relation="other")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url + f"?grid={world.grid2.pk}")
    assert response.content.decode().count("data-resident=") == 9
    assert len(many) == len(few)


def test_an_integration_key_with_the_menus_scope_reads_menus_never_meals(world, elders):
    """The plugin's declared scope (``elderly:menus``): a canteen screen's key reads the
    weekly menus and nothing else — the meals name residents."""
    import datetime

    from rest_framework.test import APIClient

    from anju.api.models import TokenKind
    from anju.api.tokens import issue
    from plugins.elderly.models import Menu

    Menu.objects.create(community=world.community, week_start=timezone.localdate(), published=True)
    Meal.objects.create(resident=elders.li, date=timezone.localdate())
    _key, text = issue(
        world.users["committee"],
        name="食堂屏",
        kind=TokenKind.INTEGRATION,
        scopes=["elderly:menus"],
        expires=datetime.timedelta(days=30),
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {text}")
    menus = client.get("/api/elderly/menus/")
    assert menus.status_code == 200 and len(menus.json()["results"]) == 1
    assert client.get("/api/elderly/meals/").status_code == 403
    # A resident's account cannot be given the scope at all.
    with pytest.raises(ValueError):
        issue(
            world.users["resident"],
            name="x",
            kind=TokenKind.INTEGRATION,
            scopes=["elderly:menus"],
            expires=datetime.timedelta(days=1),
        )
