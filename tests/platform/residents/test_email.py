"""E-mail as a real channel (Django's e-mail backend; locmem here, console in
development) for residents and staff who give an address: each message goes into the
notify outbox and is delivered by its task (run in-process here), so what arrives in
``mail.outbox`` went the way production mail goes."""

import pytest
from django.core import mail
from django.utils import timezone

from anju.community.models import ResidentLink
from anju.notify.models import Message
from anju.services import sla, workflow
from anju.services.models import Status

from .conftest import file_case, sign_in

pytestmark = pytest.mark.django_db


def mails_to(address):
    return [m for m in mail.outbox if address in m.to]


def give_email(user, address):
    user.email = address
    user.save(update_fields=["email"])
    return user


# --- residents --------------------------------------------------------------------------


def test_a_resident_gives_an_address_and_gets_case_news_by_email(
    client, world, built_service, django_capture_on_commit_callbacks
):
    sign_in(client, world.resident1.phone)
    response = client.post("/me/", {"action": "email", "email": "wang@example.cn"})
    assert response.status_code == 302
    user = ResidentLink.objects.get(resident=world.resident1).user
    user.refresh_from_db()
    assert user.email == "wang@example.cn"
    with django_capture_on_commit_callbacks(execute=True):
        case = file_case(built_service, user=user, household=world.household1)
    [filed] = mails_to("wang@example.cn")
    assert case.reference in filed.body and "已收到" in filed.body
    assert Message.objects.get(template="services.filed", channel="email").status == "sent"
    # The same news in the portal inbox.
    assert Message.objects.filter(template="services.filed", channel="in_app", user=user).exists()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.transition(case, Status.ACCEPTED, world.users["grid_worker"])
    assert len(mails_to("wang@example.cn")) == 2


def test_a_bad_address_is_explained_and_nothing_is_saved(client, world):
    sign_in(client, world.resident1.phone)
    response = client.post("/me/", {"action": "email", "email": "wang at example"})
    assert response.status_code == 400
    assert "电子邮件" in response.content.decode() or "邮箱" in response.content.decode()
    user = ResidentLink.objects.get(resident=world.resident1).user
    user.refresh_from_db()
    assert user.email == ""


# --- staff ------------------------------------------------------------------------------


def test_staff_with_an_address_get_an_assignment_by_email_too(
    client, world, built_service, django_capture_on_commit_callbacks
):
    worker = give_email(world.users["grid_worker"], "gridworker@example.cn")
    committee = world.users["committee"]
    case = file_case(built_service, household=world.household1)
    workflow.assign(case, committee, committee)  # now with the committee member
    mail.outbox.clear()
    client.force_login(committee)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/services/cases/{case.reference}/assign/",
            {"assignee": worker.pk},
            content_type="application/json",
        )
    assert response.status_code == 200, response.content
    [email] = mail.outbox
    assert email.to == ["gridworker@example.cn"] and case.reference in email.subject
    in_app = Message.objects.filter(template="services.assigned", user=worker)
    assert set(in_app.values_list("channel", flat=True)) == {"in_app", "email"}


def test_staff_without_an_address_are_told_in_the_app_only(
    world, built_service, django_capture_on_commit_callbacks
):
    committee = world.users["committee"]
    assert committee.email == ""
    case = file_case(built_service, household=world.household1)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assign(case, committee, committee)
    assert mail.outbox == []
    assert list(
        Message.objects.filter(template="services.assigned", user=committee).values_list(
            "channel", flat=True
        )
    ) == ["in_app"]


def test_the_sla_sweep_emails_each_new_holder_once_per_batch(
    world, built_service, django_capture_on_commit_callbacks
):
    give_email(world.users["committee"], "committee@example.cn")
    for i in range(3):
        file_case(built_service, household=world.household1, phone=f"1381234{i:04d}")
    later = timezone.now() + timezone.timedelta(hours=25)
    with django_capture_on_commit_callbacks(execute=True):
        result = sla.sweep_overdue(now=later)
    assert result.escalated == 3
    [email] = mails_to("committee@example.cn")
    assert "3" in email.subject
    # A second sweep sends nothing again.
    with django_capture_on_commit_callbacks(execute=True):
        sla.sweep_overdue(now=later)
    assert len(mails_to("committee@example.cn")) == 1


def test_a_resident_saying_not_settled_emails_the_handler(
    client, world, built_service, django_capture_on_commit_callbacks
):
    worker = give_email(world.users["grid_worker"], "gridworker@example.cn")
    sign_in(client, world.resident1.phone)
    user = ResidentLink.objects.get(resident=world.resident1).user
    case = file_case(built_service, user=user, household=world.household1)
    workflow.transition(case, Status.ACCEPTED, worker)
    workflow.transition(case, Status.RESOLVED, worker)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cases/mine/{case.reference}/", {"settled": "no", "note": "还漏"})
    assert response.status_code == 302
    [email] = mails_to("gridworker@example.cn")
    assert case.reference in email.subject
