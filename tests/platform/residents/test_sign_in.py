"""Signing in on the portal with a phone number and an SMS code, and the link to the
register that follows."""

import datetime

import pytest
from django.utils import timezone

from anju.community.models import ResidentLink
from anju.notify.models import Message, OneTimeCode, SmsLog
from anju.residents.models import ResidentAccount
from anju.residents.notifications import SIGN_IN_CODE
from tests.factories import ResidentFactory

from .conftest import ask_code, enter_code, last_code, sign_in

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_resident_signs_in_and_is_linked_to_their_record(client, world):
    phone = world.resident1.phone
    response = ask_code(client, phone)
    assert response.status_code == 200 and "验证码" in text(response)
    code = last_code(phone)
    assert len(code) == 6 and code.isdigit()
    # Stored hashed: the code itself is nowhere in the codes table.
    otp = OneTimeCode.objects.get()
    assert code not in otp.code_hash and len(otp.code_hash) == 64

    response = enter_code(client, phone, code)
    assert response.status_code == 302 and response["Location"] == "/me/"
    account = ResidentAccount.objects.get()
    assert account.phone == phone and not account.user.is_staff
    assert not account.user.has_usable_password()
    link = ResidentLink.objects.get(user=account.user)
    assert (link.resident, link.state, link.kind) == (world.resident1, "confirmed", "self")
    me = client.get("/me/")
    assert me.status_code == 200 and "王小明" in text(me)


def test_the_sms_goes_through_the_outbox_and_the_log(
    client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask_code(client, world.resident1.phone)
    message = Message.objects.get(template=SIGN_IN_CODE)
    assert message.channel == "sms" and message.status == "sent"
    assert message.payload["code"] in SmsLog.objects.get(message=message).body


def test_a_code_works_once(client, world):
    phone = world.resident1.phone
    ask_code(client, phone)
    code = last_code(phone)
    assert enter_code(client, phone, code).status_code == 302
    client.logout()
    response = enter_code(client, phone, code)
    assert response.status_code == 400 and "已过期" in text(response)


def test_wrong_code_says_so_and_dies_after_five_tries(client, world):
    phone = world.resident1.phone
    ask_code(client, phone)
    code = last_code(phone)
    wrong = "000000" if code != "000000" else "111111"
    response = enter_code(client, phone, wrong)
    assert response.status_code == 400 and "验证码不正确" in text(response)
    for _ in range(4):
        response = enter_code(client, phone, wrong)
    assert "错误次数太多" in text(response)
    # Even the right code is refused now (five wrong codes also lock the phone's
    # sign-in from this address: anju.permissions.lockout, tests/platform/test_lockout.py).
    response = enter_code(client, phone, code)
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_an_expired_code_is_refused(client, world):
    phone = world.resident1.phone
    ask_code(client, phone)
    code = last_code(phone)
    OneTimeCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = enter_code(client, phone, code)
    assert response.status_code == 400 and "已过期" in text(response)
    assert "_auth_user_id" not in client.session


def test_too_many_codes_for_one_phone(client, world, settings):
    settings.RESIDENTS_CODES_PER_HOUR = 3
    phone = world.resident1.phone
    for _ in range(3):
        assert ask_code(client, phone).status_code == 200
    response = ask_code(client, phone)
    assert response.status_code == 429 and "请一小时后再试" in text(response)
    assert OneTimeCode.objects.count() == 3


def test_too_many_codes_from_one_address(client, world, settings):
    settings.RESIDENTS_CODE_RATE = "2/h"
    for n in range(2):
        assert ask_code(client, f"1390000000{n}").status_code == 200
    response = ask_code(client, "13900000009")
    assert response.status_code == 429 and "请稍后再试" in text(response)


def test_a_bad_phone_number_is_explained(client, world):
    response = ask_code(client, "12345")
    assert response.status_code == 400 and "11位手机号" in text(response)
    assert not OneTimeCode.objects.exists()


def test_same_answer_whether_the_phone_is_registered_or_not(client, world):
    registered = ask_code(client, world.resident1.phone)
    unknown = ask_code(client, "13700000000")
    assert registered.status_code == unknown.status_code == 200

    def visible(response):
        return text(response).replace(world.resident1.phone, "X").replace("13700000000", "X")

    # The CSRF token differs per response; nothing else may.
    import re

    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", visible(registered)) == strip.sub("", visible(unknown))


def test_a_wrong_code_reads_the_same_whether_the_phone_is_registered_or_not(client, world):
    """No enumeration at the second step either: a wrong code, or a code never sent,
    gets the same answer for a resident's phone and for a stranger's."""
    import re

    answers = []
    for phone in (world.resident1.phone, "13700000000"):
        ask_code(client, phone)
        code = last_code(phone)
        wrong = "000000" if code != "000000" else "111111"
        answers.append(enter_code(client, phone, wrong))
    never_sent = [enter_code(client, p, "123456") for p in ("13600000001", "13600000002")]
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')

    def visible(response):
        body = text(response)
        for phone in (world.resident1.phone, "13700000000", "13600000001", "13600000002"):
            body = body.replace(phone, "X")
        return strip.sub("", body)

    assert [r.status_code for r in answers + never_sent] == [400] * 4
    assert "验证码不正确" in text(answers[0]) and "已过期或未发送" in text(never_sent[0])
    assert visible(answers[0]) == visible(answers[1])
    assert visible(never_sent[0]) == visible(never_sent[1])
    assert not ResidentAccount.objects.exists() and "_auth_user_id" not in client.session


def test_a_phone_matching_no_resident_waits_for_the_grid_worker(client, world):
    sign_in(client, "13700000000")
    link = ResidentLink.objects.get()
    assert link.state == "pending" and link.resident is None and link.grid is None
    body = text(client.get("/me/"))
    assert "等待网格员" in body
    response = client.post("/me/", {"action": "note", "note": "张桂英，1号楼101"})
    assert response.status_code == 302
    assert ResidentLink.objects.get().note == "张桂英，1号楼101"


def test_a_phone_shared_by_two_residents_waits_for_their_grid_worker(client, world):
    ResidentFactory(household=world.household1, phone=world.resident1.phone, name="王小红")
    sign_in(client, world.resident1.phone)
    link = ResidentLink.objects.get()
    assert link.state == "pending" and link.resident is None and link.grid == world.grid1


def test_resident_pages_send_to_the_portal_sign_in_not_the_admin(client, world):
    for url in ("/cases/mine/", "/cases/mine/12345678/", "/me/", "/me/household/", "/me/messages/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/sign-in/?next="), response["Location"]
    english = client.get("/en/cases/mine/")
    assert english["Location"].startswith("/en/sign-in/?next=")


def test_signing_in_returns_to_where_the_resident_was(client, world):
    phone = world.resident1.phone
    ask_code(client, phone)
    response = enter_code(client, phone, last_code(phone), next_url="/cases/mine/")
    assert response["Location"] == "/cases/mine/"
    client.logout()
    ask_code(client, phone)
    response = enter_code(client, phone, last_code(phone), next_url="https://evil.example/")
    assert response["Location"] == "/me/"


def test_signing_out(client, world):
    sign_in(client, world.resident1.phone)
    client.post("/sign-out/")
    assert client.get("/me/").status_code == 302
