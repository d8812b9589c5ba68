"""The admin menu and views follow the role and the plugin's activation."""

import pytest

from anju.plugins import activation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "shown"),
    [("committee", True), ("grid_worker", True), ("resident_rep", True), ("service_staff", False)],
)
def test_menu_per_role(world, client, role, shown):
    client.force_login(world.users[role])
    html = client.get("/admin/").content.decode()
    assert ("/admin/disputes/figures/" in html) is shown


def test_disabled_plugin_hides_its_admin_views(world, dispute1, client):
    client.force_login(world.users["committee"])
    activation.disable(world.community, "disputes")
    try:
        for url in (
            "/admin/disputes/",
            f"/admin/disputes/{dispute1.pk}/",
            "/admin/disputes/screening/",
        ):
            assert client.get(url).status_code == 404
        assert "/admin/disputes/figures/" not in client.get("/admin/").content.decode()
    finally:
        activation.enable(world.community, "disputes")
    assert client.get(f"/admin/disputes/{dispute1.pk}/").status_code == 200
