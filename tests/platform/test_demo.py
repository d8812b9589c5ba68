import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import RequestFactory
from wagtail.models import Page

from anju.demo.loader import ACCOUNTS, DEMO_PASSWORD
from anju.permissions.roles import ROLES

pytestmark = pytest.mark.django_db


def _snapshot():
    User = get_user_model()
    return (
        sorted(User.objects.values_list("username", "is_staff", "is_superuser")),
        sorted(Group.objects.values_list("name", flat=True)),
        sorted(Page.objects.values_list("url_path", "title")),
    )


def test_load_demo_is_idempotent():
    call_command("load_demo", stdout=open("/dev/null", "w"))
    first = _snapshot()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert _snapshot() == first


def test_demo_has_a_staff_account_for_each_role(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    User = get_user_model()
    for role in ROLES:
        holders = User.objects.filter(groups__name=role.name)
        assert holders.exists(), role.code
        assert all(u.is_staff == role.staff for u in holders)
    assert User.objects.filter(username="admin", is_superuser=True).exists()
    # Every demo account can sign in with the printed password; staff reach the admin.
    for account in ACCOUNTS:
        # authenticate() needs the request with django-axes' backend in front.
        login_request = RequestFactory().post("/admin/login/")
        assert client.login(
            request=login_request, username=account.username, password=DEMO_PASSWORD
        )
        status = client.get("/admin/").status_code
        if account.role is None or account.role.staff:
            assert status == 200, account.username
        else:
            assert status == 302, account.username
        client.logout()


def test_demo_prints_the_admin_login(capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "admin" in out and DEMO_PASSWORD in out


def test_demo_portal_pages_render(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert client.get("/").status_code == 200
    assert "便民服务站" in client.get("/service-station/").content.decode()
