"""Each extension point, proven with the dummy plugin (tests/dummy_plugin)."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from anju.plugins import activation
from anju.plugins.registry import contributions
from tests.dummy_plugin.apps import DummyPluginConfig
from tests.dummy_plugin.models import DummyPage, Thing

pytestmark = pytest.mark.django_db

LABEL = "dummy_plugin"


@pytest.fixture
def off(world):
    """Disable the dummy plugin for the world's community."""
    activation.disable(world.community, LABEL)
    yield
    activation.enable(world.community, LABEL)


# --- portal pages, navigation, the service directory ----------------------------------


def test_portal_page_is_mounted_under_services_slug(world, client):
    assert reverse("dummy_plugin:index") == "/services/dummy/"
    assert client.get("/services/dummy/").status_code == 200
    assert client.get("/en/services/dummy/").status_code == 200


def test_portal_navigation_and_service_card_on_the_home_page(world, client):
    html = client.get("/").content.decode()
    assert 'class="portal-nav"' in html and 'href="/services/dummy/"' in html
    assert "Dummy service" in html and "Things for testing" in html  # the card


def test_disabled_plugin_vanishes_from_the_portal_and_returns(world, client):
    activation.disable(world.community, LABEL)
    assert client.get("/services/dummy/").status_code == 404
    html = client.get("/").content.decode()
    assert "/services/dummy/" not in html and "Dummy service" not in html
    activation.enable(world.community, LABEL)
    assert client.get("/services/dummy/").status_code == 200
    assert "Dummy service" in client.get("/").content.decode()


def test_declared_permissions_are_applied_when_mounted(world, client):
    assert client.get("/services/dummy/staff/").status_code == 302  # to the login page
    client.force_login(world.users["grid_worker"])
    assert client.get("/services/dummy/staff/").status_code == 403
    client.force_login(world.users["service_staff"])  # granted by the plugin's defaults
    assert client.get("/services/dummy/staff/").status_code == 200


# --- page types ------------------------------------------------------------------------


def test_page_type_lives_under_the_home_page_and_hides_when_disabled(world, client):
    from anju.portal.site import ensure_home_page

    home = ensure_home_page()
    assert DummyPage.can_create_at(home)
    home.add_child(instance=DummyPage(title="演示页", slug="dummy-page"))
    assert client.get("/dummy-page/").status_code == 200
    activation.disable(world.community, LABEL)
    assert client.get("/dummy-page/").status_code == 404
    activation.enable(world.community, LABEL)


# --- service forms ---------------------------------------------------------------------


def test_service_form_files_a_case_and_runs_the_plugins_hook(world, client):
    from anju.services.models import Case

    url = reverse("dummy_plugin:service-form", kwargs={"form_slug": "thing"})
    response = client.post(
        url,
        {
            "name": "轮椅",
            "requester-requester_name": "张阿姨",
            "requester-requester_phone": "13812345678",
        },
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.service.plugin == LABEL and case.data["name"] == "轮椅"
    assert case.reference[:4] in response.content.decode()
    assert Thing.objects.get(name="轮椅").phone == "13812345678"


def test_service_form_rejects_bad_input_and_saves_nothing(world, client):
    from anju.services.models import Case

    url = reverse("dummy_plugin:service-form", kwargs={"form_slug": "thing"})
    response = client.post(
        url,
        {"name": "轮椅", "requester-requester_name": "张", "requester-requester_phone": "123"},
    )
    assert response.status_code == 400
    assert "requester_phone" in response.context["requester_form"].errors
    assert not Thing.objects.exists() and not Case.objects.exists()


def test_unknown_or_disabled_service_form_is_404(world, client, off):
    url = reverse("dummy_plugin:service-form", kwargs={"form_slug": "thing"})
    assert client.get(url).status_code == 404


def test_unknown_form_slug_is_404(world, client):
    assert client.get("/services/dummy/forms/nope/").status_code == 404


# --- API -------------------------------------------------------------------------------


def test_api_is_mounted_in_the_schema_and_permission_checked(world, client):
    schema = json.loads(client.get("/api/schema/", {"format": "json"}).content)
    assert "/api/dummy/things/" in schema["paths"]
    assert client.get("/api/dummy/things/").status_code in (401, 403)
    Thing.objects.create(name="a")
    client.force_login(world.users["service_staff"])
    assert client.get("/api/dummy/things/").json()["results"][0]["name"] == "a"
    assert client.post("/api/dummy/things/", {"name": "b"}).status_code == 201
    client.force_login(world.users["committee"])  # view only
    assert client.get("/api/dummy/things/").status_code == 200
    assert client.post("/api/dummy/things/", {"name": "c"}).status_code == 403
    client.force_login(world.users["resident"])
    assert client.get("/api/dummy/things/").status_code == 403


def test_disabled_api_is_404_and_data_returns_when_enabled(world, client):
    Thing.objects.create(name="kept")
    client.force_login(world.users["service_staff"])
    activation.disable(world.community, LABEL)
    assert client.get("/api/dummy/things/").status_code == 404
    activation.enable(world.community, LABEL)
    assert [t["name"] for t in client.get("/api/dummy/things/").json()["results"]] == ["kept"]


# --- admin: viewsets, menu items, dashboard panels ---------------------------------------


def test_admin_viewset_and_menu_items(world, client):
    client.force_login(world.users["superuser"])
    assert client.get("/admin/dummy_things/").status_code == 200
    html = client.get("/admin/").content.decode()
    assert "Things" in html and "Dummy things" in html


def test_disabled_plugin_leaves_the_admin(world, client, off):
    client.force_login(world.users["superuser"])
    assert client.get("/admin/dummy_things/").status_code == 404
    html = client.get("/admin/").content.decode()
    assert "Dummy things" not in html
    assert "data-dummy-dashboard" not in html


def test_dashboard_panels_and_a_broken_one_becomes_an_error_box(world, client):
    client.force_login(world.users["superuser"])
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-dummy-dashboard" in html
    # BrokenDashboardPanel (fails to render) and UnaskableDashboardPanel (fails in
    # is_shown), each an error box in its own slot.
    assert html.count("data-plugin-panel-error") == 2


@pytest.fixture
def broken_tile():
    """A tile whose counts raise, added for one test (the contract kit would refuse it
    if the dummy plugin declared it)."""
    from anju.plugins import DashboardTile, TileFigure
    from anju.plugins.registry import Contribution, registry

    def broken_counts(user, grids, start, end):
        raise RuntimeError("tile broken on purpose")

    contribution = Contribution(
        LABEL,
        DashboardTile(
            code="dummy_plugin.broken",
            label="Broken tile",
            figures=(TileFigure("nothing", "Nothing"),),
            counts=broken_counts,
            permission="dummy_plugin.delete_thing",
        ),
    )
    registry.dashboard_tiles.append(contribution)
    yield
    registry.dashboard_tiles.remove(contribution)


def test_dashboard_tiles_count_and_a_broken_one_says_so(world, client, broken_tile):
    Thing.objects.create(name="a")
    Thing.objects.create(name="b")
    client.force_login(world.users["superuser"])
    html = client.get("/admin/").content.decode()
    things = html.split('data-tile="dummy_plugin.things"')[1].split("</article>")[0]
    assert "<dt>Things counted</dt><dd>2</dd>" in things
    broken = html.split('data-tile="dummy_plugin.broken"')[1].split("</article>")[0]
    assert "anju-tile--failed" in html and "无法统计" in broken
    assert 'data-tile="core.visits"' in html  # the board around it stands


def test_dashboard_tiles_leave_with_the_plugin(world, client, off):
    client.force_login(world.users["superuser"])
    html = client.get("/admin/").content.decode()
    assert 'data-tile="core.visits"' in html
    assert "dummy_plugin." not in html.split('id="anju-dashboard"')[1].split("</section>")[0]


def test_a_dashboard_tile_of_the_wrong_kind_is_refused():
    from anju.plugins import DashboardTile, TileFigure
    from anju.plugins.registry import register_dashboard_tile

    plugin = DummyPluginConfig.__new__(DummyPluginConfig)
    plugin.label = LABEL
    with pytest.raises(TypeError, match="dashboard tile"):
        register_dashboard_tile(plugin, {"code": "dummy_plugin.x"})
    with pytest.raises(TypeError, match="must start with 'dummy_plugin.'"):
        register_dashboard_tile(
            plugin,
            DashboardTile(
                code="other.x", label="x", figures=(TileFigure("n", "n"),), counts=lambda *a: {}
            ),
        )


def test_household_panel_shows_only_where_active(world, rf):
    from anju.community.panels import render_household_panels

    request = rf.get("/")
    request.user = world.users["superuser"]
    assert "data-dummy-household" in render_household_panels(world.household1, request)
    activation.disable(world.community, LABEL)
    request = rf.get("/")
    request.user = world.users["superuser"]
    assert "data-dummy-household" not in render_household_panels(world.household1, request)
    activation.enable(world.community, LABEL)


# --- tasks, schedules, notices, permissions, demo, lifecycle ------------------------------


def test_tasks_and_beat_schedule():
    from anju.celery import app

    app.loader.import_default_modules()
    assert "dummy_plugin.tidy_things" in app.tasks
    assert app.conf.beat_schedule["dummy-tidy"]["task"] == "dummy_plugin.tidy_things"
    assert "wagtail-publish-scheduled" in app.conf.beat_schedule  # the core's is kept


def test_notice_categories_and_notification_templates():
    # Other installed plugins contribute too: look at the dummy plugin's own.
    own = [c.item for c in contributions("notice_categories") if c.plugin == LABEL]
    assert [category.code for category in own] == ["dummy"]
    template = next(c.item for c in contributions("notification_templates") if c.plugin == LABEL)
    assert template.body.format(name="王") == "王, your thing is ready."


def test_default_grants_per_role(world):
    staff = world.users["service_staff"]
    assert staff.has_perm("dummy_plugin.add_thing")
    assert world.users["committee"].has_perm("dummy_plugin.view_thing")
    assert not world.users["committee"].has_perm("dummy_plugin.add_thing")
    assert not world.users["grid_worker"].has_perm("dummy_plugin.view_thing")


def test_demo_data(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert Thing.objects.filter(name="演示").exists()


def test_settings_overlay_defaults(settings):
    from django.apps import apps

    config = apps.get_app_config(LABEL)
    assert config.settings["greeting"] == "你好"
    settings.PLUGINS_CONFIG = {LABEL: {"greeting": "hello"}}
    assert config.settings["greeting"] == "hello"


def test_lifecycle_callbacks(world):
    DummyPluginConfig.installed_calls.clear()
    DummyPluginConfig.uninstalled_calls.clear()
    activation.enable(world.community, LABEL)
    activation.disable(world.community, LABEL)
    activation.enable(world.community, LABEL)
    assert DummyPluginConfig.installed_calls == [world.community.pk]  # once, the first time
    activation.uninstall(world.community, LABEL)
    assert DummyPluginConfig.uninstalled_calls == [world.community.pk]


def test_manage_view_toggles_per_community(world, client):
    client.force_login(world.users["committee"])
    response = client.post(
        "/admin/plugins/",
        {"plugin": LABEL, "community": world.community.pk, "action": "disable"},
    )
    assert response.status_code == 302
    assert LABEL not in activation.active_plugins(world.community)
    assert client.get("/services/dummy/").status_code == 404
    client.post(
        "/admin/plugins/", {"plugin": LABEL, "community": world.community.pk, "action": "enable"}
    )
    assert client.get("/services/dummy/").status_code == 200


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("superuser", 200),
        ("committee", 200),
        ("grid_worker", 403),
        ("resident_rep", 403),
        ("service_staff", 302),
        ("resident", 302),
        (None, 302),
    ],
)
def test_manage_view_per_role(world, client, role, status):
    if role:
        client.force_login(world.users[role])
    assert client.get("/admin/plugins/").status_code == status
