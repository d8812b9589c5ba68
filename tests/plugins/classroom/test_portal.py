"""The portal: the classroom page, a guardian's attendance look-up (reference + phone's
last four digits, rate-limited, a wrong pair says only that nothing matches) and a
signed-in guardian's children."""

import pytest
from django.urls import reverse

from plugins.classroom import care
from plugins.classroom.models import Guardian

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(room):
    enrolment = care.enrol(room.klass, room.child1, consent_by="张桂兰", reference="20260042")
    care.check_in(enrolment)
    return enrolment


def test_the_classroom_page_has_the_timetable_and_how_to_enrol(room, client):
    page = client.get(reverse("classroom:index")).content.decode()
    assert "作业辅导班" in page and "党群服务中心二楼" in page and "陈老师" in page
    assert reverse("classroom:service-form", kwargs={"form_slug": "enrol"}) in page
    assert "王小宝" not in page


def test_a_guardian_sees_the_attendance_by_reference_and_phone(room, enrolled, client):
    url = reverse("classroom:attendance")
    response = client.post(url, {"reference": "2026 0042", "phone_last4": "1111"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "王小宝" in page and "作业辅导班" in page
    assert "data-history" in page  # today's check-in listed


@pytest.mark.parametrize(
    ("reference", "last4"),
    [("20260042", "9999"), ("20260043", "1111"), ("20260042", "2222")],
)
def test_a_wrong_pair_says_only_that_nothing_matches(room, enrolled, client, reference, last4):
    # the father's phone (2222) is a guardian's too: it matches; the others do not
    response = client.post(
        reverse("classroom:attendance"), {"reference": reference, "phone_last4": last4}
    )
    if last4 == "2222":
        assert response.status_code == 200
        return
    assert response.status_code == 404
    page = response.content.decode()
    assert "没有与该受理编号和手机号相符的记录" in page and "王小宝" not in page


def test_the_look_up_is_rate_limited(room, enrolled, client, settings):
    settings.PLUGINS_CONFIG = {"classroom": {"lookup_rate": "3/h"}}
    from django.apps import apps

    config = apps.get_app_config("classroom")
    old = dict(config.settings)
    config.settings["lookup_rate"] = "3/h"
    try:
        url = reverse("classroom:attendance")
        codes = [
            client.post(url, {"reference": "20260042", "phone_last4": "0000"}).status_code
            for _ in range(4)
        ]
        assert codes[-1] == 429
        right = client.post(url, {"reference": "20260042", "phone_last4": "1111"})
        assert right.status_code == 429 and "王小宝" not in right.content.decode()
    finally:
        config.settings.clear()
        config.settings.update(old)


def test_a_signed_in_guardian_sees_their_child_only(room, enrolled, world, client):
    resident = world.users["resident"]
    assert client.get(reverse("classroom:mine")).status_code == 302
    client.force_login(resident)
    assert "王小宝" not in client.get(reverse("classroom:mine")).content.decode()
    Guardian.objects.filter(pk=room.grandma.pk).update(user=resident)
    page = client.get(reverse("classroom:mine")).content.decode()
    assert "王小宝" in page and "李小花" not in page
