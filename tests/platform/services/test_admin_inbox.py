"""The case inbox and its export: tabs, filters, SLA colours with words, masked phones,
pagination, bulk assignment with per-case errors, and a number of queries that does not
grow with the number of cases."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anju.services import workflow
from anju.services.models import Case, Status

from .conftest import file_case

pytestmark = pytest.mark.django_db


def listed(response):
    return [row["case"].pk for row in response.context["rows"]]


def test_rows_show_the_sla_in_colour_and_words_and_a_masked_phone(
    world, client, case_in_grid1, case_in_grid2
):
    now = timezone.now()
    Case.objects.filter(pk=case_in_grid1.pk).update(accept_due=now - datetime.timedelta(hours=1))
    client.force_login(world.users["committee"])
    response = client.get(reverse("anju_cases"), {"tab": "all"})
    html = response.content.decode()
    states = {row["case"].pk: row["sla"] for row in response.context["rows"]}
    assert states == {case_in_grid1.pk: "overdue", case_in_grid2.pk: "ok"}
    assert "anju-sla--overdue" in html and "anju-sla--ok" in html
    for row in response.context["rows"]:  # not colour only: the state in words too
        assert str(row["sla_label"]) in html
    assert "138****5678" in html and "13812345678" not in html


def test_tabs(world, client, built_service, case_in_grid1, case_in_grid2):
    committee = world.users["committee"]
    worker = world.users["grid_worker"]
    escalated = file_case(built_service, household=world.household1, phone="13700000001")
    workflow.escalate(escalated, actor=committee, reason="大事")
    late = file_case(built_service, household=world.household2, phone="13700000002")
    Case.objects.filter(pk=late.pk).update(accept_due=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(committee)

    def tab(name, user=committee):
        client.force_login(user)
        return set(listed(client.get(reverse("anju_cases"), {"tab": name})))

    assert tab("all") == {case_in_grid1.pk, case_in_grid2.pk, escalated.pk, late.pk}
    assert tab("escalated") == {escalated.pk}
    assert tab("overdue") == {late.pk}
    assert tab("grids") == {case_in_grid1.pk, case_in_grid2.pk, escalated.pk, late.pk}
    # The grid worker holds grid 1's cases (the grid's worker by default) until one is
    # escalated to the committee member seated on the grid.
    assert tab("mine", worker) == {case_in_grid1.pk}
    assert tab("mine", committee) == {escalated.pk}
    response = client.get(reverse("anju_cases"), {"tab": "all"})
    counts = {t["code"]: t["count"] for t in response.context["tabs"]}
    assert counts["all"] == 4 and counts["escalated"] == 1 and counts["overdue"] == 1


def test_filters(world, client, built_service, case_in_grid1, case_in_grid2):
    committee = world.users["committee"]
    behalf = file_case(
        built_service, household=world.household2, phone="13700000003", filed_by=committee
    )
    workflow.transition(case_in_grid2, Status.ACCEPTED, committee)
    client.force_login(committee)

    def only(**params):
        return set(listed(client.get(reverse("anju_cases"), {"tab": "all", **params})))

    assert only(status="accepted") == {case_in_grid2.pk}
    assert only(grid=world.grid1.pk) == {case_in_grid1.pk}
    assert only(on_behalf="yes") == {behalf.pk}
    assert only(on_behalf="no") == {case_in_grid1.pk, case_in_grid2.pk}
    assert only(assignee=committee.pk) == {case_in_grid2.pk}
    assert only(service=built_service.pk) == {case_in_grid1.pk, case_in_grid2.pk, behalf.pk}
    assert only(q=case_in_grid1.reference[:6]) == {case_in_grid1.pk}
    assert only(q="李大红") == {case_in_grid2.pk}
    today = timezone.localdate()
    assert only(filed_from=today.isoformat(), filed_to=today.isoformat()) == {
        case_in_grid1.pk,
        case_in_grid2.pk,
        behalf.pk,
    }
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert only(filed_from=tomorrow) == set()
    # A reversed range is an error on the form, and the list does not go blank.
    response = client.get(
        reverse("anju_cases"), {"tab": "all", "filed_from": tomorrow, "filed_to": today}
    )
    assert response.status_code == 200 and "filed_to" in response.context["form"].errors


def test_pages_of_fifty(world, client, built_service):
    for n in range(52):
        file_case(built_service, household=world.household1, phone=f"137{n:08d}")
    client.force_login(world.users["committee"])
    first = client.get(reverse("anju_cases"), {"tab": "all"})
    assert len(listed(first)) == 50
    second = client.get(reverse("anju_cases"), {"tab": "all", "p": 2})
    assert len(listed(second)) == 2


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize("role", ["committee", "grid_worker"])
@pytest.mark.parametrize("url_name", ["anju_cases", "anju_cases_export"])
def test_query_count_does_not_grow_with_the_cases(world, client, built_service, role, url_name):
    committee = world.users["committee"]
    for n in range(2):
        file_case(built_service, household=world.household1, phone=f"1360000000{n}")
    client.force_login(world.users[role])
    url = reverse(url_name)
    _queries(client, url, {"tab": "all"})  # warm caches (content types, permissions)
    few = _queries(client, url, {"tab": "all"})
    for n in range(10):
        case = file_case(
            built_service,
            household=world.household1 if n % 2 else world.household2,
            phone=f"1350000000{n}",
            filed_by=committee if n % 3 == 0 else None,
        )
        if n % 4 == 0:
            workflow.transition(case, Status.ACCEPTED, committee)
    many = _queries(client, url, {"tab": "all"})
    assert many == few, (few, many)


def test_bulk_assign_reports_each_case_it_could_not_assign(
    world, client, built_service, case_in_grid1, case_in_grid2
):
    """Service staff may not hold a grid worker's case: each such case is named in an
    error; nothing fails with a 500 and the cases stay with their holder."""
    client.force_login(world.users["committee"])
    response = client.post(
        reverse("anju_cases_bulk_assign"),
        {"case": [case_in_grid1.pk, case_in_grid2.pk], "assignee": world.users["service_staff"].pk},
        follow=True,
    )
    assert response.status_code == 200
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert len(errors) == 2
    assert any(case_in_grid1.reference[:4] in e for e in errors)
    case_in_grid1.refresh_from_db()
    assert case_in_grid1.assignee == world.users["grid_worker"]


def test_bulk_assign_refuses_someone_not_on_offer(world, client, case_in_grid1):
    client.force_login(world.users["committee"])
    for assignee in (world.users["resident"].pk, world.users["resident_rep"].pk, "", "x"):
        response = client.post(
            reverse("anju_cases_bulk_assign"),
            {"case": [case_in_grid1.pk], "assignee": assignee},
            follow=True,
        )
        assert response.status_code == 200
        assert any(m.level_tag == "error" for m in response.context["messages"])
    case_in_grid1.refresh_from_db()
    assert case_in_grid1.assignee == world.users["grid_worker"]


def test_bulk_assign_with_nothing_ticked(world, client):
    client.force_login(world.users["committee"])
    response = client.post(
        reverse("anju_cases_bulk_assign"), {"assignee": world.users["grid_worker"].pk}
    )
    assert response.status_code == 302


def test_bulk_assign_goes_back_to_the_list_it_came_from_only(world, client, case_in_grid1):
    client.force_login(world.users["committee"])
    data = {"case": [case_in_grid1.pk], "assignee": world.users["committee"].pk}
    back = reverse("anju_cases") + "?tab=all"
    assert (
        client.post(reverse("anju_cases_bulk_assign"), {**data, "next": back})["Location"] == back
    )
    response = client.post(
        reverse("anju_cases_bulk_assign"), {**data, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("anju_cases")


def test_bulk_assign_offers_only_people_who_may_hold_cases(world, client, case_in_grid1):
    client.force_login(world.users["committee"])
    response = client.get(reverse("anju_cases"))
    offered = {user.username for user in response.context["assignees"]}
    assert {"gridworker", "committee", "staff"} <= offered
    assert "rep" not in offered and "resident" not in offered
