"""A door-to-door check round: failed items become hazards (one per item, a case each,
deadline by severity, accepted by the grid worker who found it); a high-severity hazard
tells the committee at once; rectification and re-check close it; a closed hazard's
re-check is refused with the reason; a photo must be an image."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from anju.notify.models import Message
from anju.services import Status
from plugins.safety.models import Hazard, HazardState

from .conftest import answer

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 0, 0)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def found(world, client, target1, django_capture_on_commit_callbacks):
    """The grid worker checks household 1: the gas hose and the sockets fail."""
    client.force_login(world.users["grid_worker"])
    with django_capture_on_commit_callbacks(execute=True):
        response = answer(
            client, target1, gas_hose="fail", sockets="fail", remarks="软管老化，插座串接"
        )
    assert response.status_code == 201, response.content
    return {h.item: h for h in Hazard.objects.select_related("case")}


def test_each_failed_item_becomes_a_hazard_with_its_case(world, found):
    assert set(found) == {"gas_hose", "sockets"}
    hose, sockets = found["gas_hose"], found["sockets"]
    assert (hose.kind, hose.severity, hose.responsible) == ("gas", "high", "resident")
    assert (sockets.kind, sockets.severity) == ("electrical", "medium")
    for hazard in found.values():
        case = hazard.case
        assert case.household == world.household1 and case.grid == world.grid1
        assert case.on_behalf and case.filed_by == world.users["grid_worker"]
        assert case.status == Status.ACCEPTED
        assert hazard.state == HazardState.OPEN
        assert hazard.description == "软管老化，插座串接"
    # Deadline by severity: 3 days for high, 14 for medium (the case's resolve_due).
    hose_days = (hose.case.resolve_due - hose.case.created_at).total_seconds() / 86400
    sockets_days = (sockets.case.resolve_due - sockets.case.created_at).total_seconds() / 86400
    assert round(hose_days) == 3 and round(sockets_days) == 14


def test_a_high_severity_hazard_tells_the_committee_at_once(world, found):
    messages = Message.objects.filter(template="safety.high_hazard")
    assert list(messages.values_list("user", flat=True)) == [world.users["committee"].pk]
    assert found["gas_hose"].case.reference in str(messages.get().payload)


def test_a_passing_check_makes_no_hazard(
    world, client, target2, django_capture_on_commit_callbacks
):
    client.force_login(world.users["committee"])
    with django_capture_on_commit_callbacks(execute=True):
        assert answer(client, target2).status_code == 201
    assert not Hazard.objects.exists()


def test_the_signal_twice_adds_nothing(world, found, django_capture_on_commit_callbacks):
    from plugins.safety.handling import on_target_answered

    hazard = next(iter(found.values()))
    on_target_answered(None, answers=[hazard.answer], actor=None, community=world.community.pk)
    assert Hazard.objects.count() == 2


def test_an_invalid_checklist_answer_is_refused(world, client, target1):
    client.force_login(world.users["grid_worker"])
    response = answer(client, target1, gas_hose="broken")
    assert response.status_code == 400
    assert "gas_hose" in response.json()["answers"]
    assert not Hazard.objects.exists()


def test_rectification_then_a_failed_and_a_passed_recheck(world, client, found):
    hazard = found["sockets"]
    client.force_login(world.users["grid_worker"])
    url = f"/api/safety/hazards/{hazard.pk}/"
    response = client.post(url + "rectify/", {"note": "已拆除串接插线板"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "rectified"
    assert client.get("/api/safety/hazards/", {}).status_code == 200

    response = client.post(url + "recheck/", {"passed": "no", "note": "仍有串接"})
    assert response.json()["state"] == "open"
    hazard.refresh_from_db()
    assert hazard.recheck_passed is False and hazard.case.status == Status.ACCEPTED

    client.post(url + "rectify/", {"note": "已更换插座"})
    response = client.post(url + "recheck/", {"passed": "yes"})
    assert response.status_code == 200
    assert response.json()["state"] == "closed"
    hazard.refresh_from_db()
    assert hazard.case.status == Status.RESOLVED


def test_rechecking_a_closed_hazard_is_refused_with_the_reason(world, client, found):
    hazard = found["sockets"]
    client.force_login(world.users["grid_worker"])
    url = f"/api/safety/hazards/{hazard.pk}/recheck/"
    assert client.post(url, {"passed": "yes"}).status_code == 200
    response = client.post(url, {"passed": "yes"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "closed"
    reason = body["non_field_errors"][0]
    assert "此隐患已于" in reason and "关闭" in reason, reason


def test_rechecking_a_closed_hazard_in_the_admin_says_why(world, client, found):
    hazard = found["sockets"]
    client.force_login(world.users["grid_worker"])
    act = reverse("safety_hazards:act", args=[hazard.pk, "recheck"])
    assert client.post(act, {"recheck-passed": "yes"}).status_code == 302
    page = client.get(reverse("safety_hazards:detail", args=[hazard.pk]))
    assert "data-closed" in page.content.decode()
    response = client.post(act, {"recheck-passed": "yes"})
    assert response.status_code in (400, 403)


def test_a_photo_must_be_an_image(world, client, found):
    hazard = found["gas_hose"]
    client.force_login(world.users["grid_worker"])
    url = f"/api/safety/hazards/{hazard.pk}/update_details/"
    fake = SimpleUploadedFile("hose.jpg", b"not a picture at all", content_type="image/jpeg")
    response = client.post(url, {"severity": "high", "responsible": "resident", "photo": fake})
    assert response.status_code == 400
    assert "photo" in response.json()
    pdf = SimpleUploadedFile("hose.pdf", b"%PDF-1.4 something", content_type="application/pdf")
    response = client.post(url, {"severity": "high", "responsible": "resident", "photo": pdf})
    assert response.status_code == 400 and "photo" in response.json()
    hazard.refresh_from_db()
    assert not hazard.photo

    good = SimpleUploadedFile("hose.png", png_bytes(), content_type="image/png")
    response = client.post(url, {"severity": "high", "responsible": "landlord", "photo": good})
    assert response.status_code == 200, response.content
    assert response.json()["has_photo"] and response.json()["responsible"] == "landlord"
    photo = client.get(reverse("safety_hazards:photo", args=[hazard.pk]))
    assert photo.status_code == 200


def test_the_admin_photo_form_refuses_a_non_image(world, client, found):
    hazard = found["gas_hose"]
    client.force_login(world.users["grid_worker"])
    fake = SimpleUploadedFile("hose.png", b"plain text", content_type="image/png")
    response = client.post(
        reverse("safety_hazards:act", args=[hazard.pk, "update"]),
        {"update-severity": "high", "update-responsible": "resident", "update-photo": fake},
    )
    assert response.status_code == 400
    assert response.context["update_form"].errors["photo"]


def test_a_resident_reports_a_hazard_on_the_portal(world, client):
    from anju.services import Case

    url = reverse("safety:service-form", kwargs={"form_slug": "report"})
    response = client.post(
        url,
        {
            "item": "escape",
            "description": "2号楼楼道堆满杂物",
            "requester-requester_name": "李大红",
            "requester-requester_phone": "13912345678",
            "requester-building": world.building2.pk,
            "requester-room": "201",
        },
    )
    assert response.status_code == 200, response.content
    hazard = Hazard.objects.get()
    assert hazard.case == Case.objects.get()
    assert (hazard.item, hazard.kind, hazard.severity) == ("escape", "fire", "medium")
    assert hazard.case.household == world.household2


def test_an_empty_report_is_refused_and_saves_nothing(world, client):
    url = reverse("safety:service-form", kwargs={"form_slug": "report"})
    response = client.post(url, {"requester-requester_name": "李大红"})
    assert response.status_code == 400
    assert not Hazard.objects.exists()
