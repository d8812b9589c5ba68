"""A dispute comes in two ways: a resident's report on the portal, or a grid worker
recording what they heard on a household visit. High risk tells the committee at once."""

import pytest
from django.urls import reverse

from anju.notify.models import Message
from anju.services.models import Case, Status
from plugins.disputes.models import Dispute, DisputeParty, RiskLevel

from .conftest import file_dispute, refused

pytestmark = pytest.mark.django_db

REPORT_URL = "/services/disputes/forms/report/"


def test_portal_page(world, client):
    response = client.get(reverse("disputes:index"))
    assert response.status_code == 200
    assert REPORT_URL in response.content.decode()


def test_resident_reports_a_dispute_on_the_portal(world, client):
    response = client.post(
        REPORT_URL,
        {
            "dispute_type": "property",
            "summary": "楼上卫生间漏水，渗到我家天花板。",
            "place": "1号楼2单元",
            "other_party": "张三",
            "requester-requester_name": "王芳",
            "requester-requester_phone": "13912345678",
        },
    )
    assert response.status_code == 200
    case = Case.objects.get()
    dispute = Dispute.objects.get()
    assert dispute.case == case
    assert case.reference[:4] in response.content.decode()
    assert (dispute.dispute_type, dispute.risk, dispute.outcome) == ("property", "low", "")
    assert dispute.summary.startswith("楼上卫生间漏水")
    names = sorted(p.display_name for p in dispute.parties.all())
    assert names == ["张三", "王芳"]
    own = dispute.parties.get(name="王芳")
    assert own.phone == "13912345678" and own.masked_phone == "139****5678"


def test_an_empty_report_is_refused_and_saves_nothing(world, client):
    response = client.post(REPORT_URL, {"requester-requester_name": "王芳"})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Dispute.objects.exists() and not Case.objects.exists()


def test_party_phone_is_stored_encrypted(world, dispute1):
    from django.db import connection

    party = dispute1.parties.get(resident=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM disputes_disputeparty WHERE id = %s", [party.pk])
        raw = cursor.fetchone()[0]
    assert "13955556666" not in str(raw)


def _visit_form(world, **overrides):
    data = {
        "dispute_type": "neighbour",
        "summary": "楼道堆放杂物，邻居争吵。",
        "place": "1号楼楼道",
        "risk": "low",
        "raised_by": world.resident1.pk,
        "phone": "13811112222",
        "outsider_name": "送货司机",
        "outsider_phone": "13700001111",
    }
    data.update(overrides)
    return data


def test_grid_worker_records_a_dispute_from_a_visit(world, client):
    worker = world.users["grid_worker"]
    client.force_login(worker)
    url = reverse("disputes_admin:from_visit", args=[world.visit1.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, _visit_form(world))
    assert response.status_code == 302
    dispute = Dispute.objects.select_related("case").get()
    case = dispute.case
    assert dispute.visit == world.visit1
    assert case.household == world.household1 and case.grid == world.grid1
    assert case.filed_by == worker and case.on_behalf
    assert case.requester_name == world.resident1.name
    assert case.assignee == worker  # the grid's worker holds it
    assert case.data["dispute_type"] == "neighbour"
    parties = list(dispute.parties.order_by("pk"))
    assert parties[0].resident == world.resident1
    assert parties[1].name == "送货司机" and parties[1].masked_phone == "137****1111"
    # The resident raised it at the visit: that is the consent of a case filed on their
    # behalf, and the case page says so instead of "No consent recorded".
    assert case.consent.method == "at_visit" and case.consent.recorded_by == worker
    detail = client.get(f"/admin/cases/{case.pk}/").content.decode()
    assert "走访时当面提出" in detail and "没有记录居民同意" not in detail


def test_visit_intake_needs_a_phone_when_none_is_on_record(world, client):
    world.resident1.phone = ""
    world.resident1.save()
    client.force_login(world.users["grid_worker"])
    url = reverse("disputes_admin:from_visit", args=[world.visit1.pk])
    response = client.post(url, _visit_form(world, phone=""))
    assert response.status_code == 400
    assert "phone" in response.context["form"].errors
    assert not Dispute.objects.exists()


def test_a_visit_of_another_grid_is_not_found(world, client):
    client.force_login(world.users["grid_worker"])
    url = reverse("disputes_admin:from_visit", args=[world.visit2.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _visit_form(world)).status_code == 404


def test_resident_rep_cannot_record_from_a_visit(world, client):
    client.force_login(world.users["resident_rep"])
    url = reverse("disputes_admin:from_visit", args=[world.visit1.pk])
    assert refused(client.post(url, _visit_form(world)))


def test_high_risk_tells_every_committee_member_once(world, django_capture_on_commit_callbacks):
    from anju.community.models import TeamRole
    from anju.permissions import roles
    from tests import factories as f

    other = f.UserFactory(username="committee2", role=roles.COMMITTEE)
    f.seat(other, world.grid2, TeamRole.COMMITTEE)
    with django_capture_on_commit_callbacks():
        dispute = file_dispute(world.household1, risk=RiskLevel.HIGH)
    messages = Message.objects.filter(template="disputes.high_risk")
    assert sorted(messages.values_list("user_id", flat=True)) == sorted(
        [world.users["committee"].pk, other.pk]
    )
    assert all(m.channel == "in_app" for m in messages)
    from plugins.disputes.handling import notify_high_risk

    assert notify_high_risk(dispute) == 0  # deduplicated
    assert messages.count() == 2


def test_raising_the_risk_to_high_notifies(world, dispute1):
    from plugins.disputes.handling import set_risk

    assert not Message.objects.filter(template="disputes.high_risk").exists()
    set_risk(dispute1, RiskLevel.HIGH, world.users["grid_worker"])
    assert Message.objects.filter(
        template="disputes.high_risk", user=world.users["committee"]
    ).exists()


def test_parties_may_be_added_later(world, dispute1):
    from plugins.disputes.handling import add_party

    add_party(dispute1, world.users["grid_worker"], resident=world.resident2)
    add_party(dispute1, world.users["grid_worker"], name="物业经理", phone="13600001234")
    assert dispute1.parties.count() == 4
    assert DisputeParty.objects.get(name="物业经理").masked_phone == "136****1234"


def test_case_status_is_the_engines(world, dispute1):
    assert dispute1.case.status == Status.SUBMITTED
