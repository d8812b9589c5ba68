"""The demo shows the township desks at work (issue 20): a service of the one-stop
service station handled by the desk of the requester's township (户籍业务), its portal
page, and requests routed to 安居镇's desk (``bianmin``) or, for residents registered in
城关镇, to that desk (``bianmin2``) — each desk seeing only its own."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from anju.services.models import Case, HandlerRole, Service
from anju.services.visibility import visible_cases

pytestmark = pytest.mark.django_db


def test_the_demo_routes_its_township_service_to_the_desks(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    service = Service.objects.get(slug="hukou-affairs")
    assert service.handler_role == HandlerRole.TOWNSHIP
    page = client.get("/hukou-affairs/")
    assert page.status_code == 200 and "户籍业务" in page.content.decode()
    cases = Case.objects.filter(service=service)
    by_desk = {}
    for case in cases.select_related("township"):
        by_desk.setdefault(case.township.code, set()).add(case.pk)
    assert set(by_desk) == {"anju_town", "chengguan"}
    User = get_user_model()
    for username, code in (("bianmin", "anju_town"), ("bianmin2", "chengguan")):
        desk = User.objects.get(username=username)
        seen = set(visible_cases(desk).values_list("pk", flat=True))
        assert seen == by_desk[code], username  # their desk's cases, nothing else
        client.force_login(desk)
        home = client.get(reverse("wagtailadmin_home")).content.decode()
        assert 'id="anju-service-desk' in home
    # A requester registered in 城关镇 went to 城关镇's desk, whatever community they live in.
    for case in cases.filter(township__code="chengguan"):
        assert case.household.residents.filter(hukou_township__code="chengguan").exists()
    # Loading again adds nothing.
    before = cases.count()
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Case.objects.filter(service=service).count() == before
