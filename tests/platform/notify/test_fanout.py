"""Fan-out of a published notice: one SMS per targeted resident with a phone, never two,
queued only once the publish has committed (tasks run in-process here)."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anju import notify
from anju.community.models import Resident, SpecialGroup
from anju.core.models import OutboxTask
from anju.core.tasks import run_outbox_task
from anju.notices import tasks as notice_tasks
from anju.notices.models import Audience
from anju.notices.tasks import fan_out_notice
from anju.notify.models import Channel, Message, SmsLog, Status
from tests.factories import BuildingFactory, ResidentFactory

from .conftest import draft_notice, make_households, make_residents, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    """world's two residents (with phones) plus, in each building, two residents with a
    phone and one without; a special group with members in both grids."""
    world.building1b = BuildingFactory(grid=world.grid1, name="1号楼B")
    for building in (world.building1, world.building1b, world.building2):
        [household] = make_households(building, 1)
        make_residents([household], 2)
        make_residents([household], 1, with_phone=False)
    world.group = SpecialGroup.objects.create(code="living_alone_test", name="独居")
    in_grid1 = Resident.objects.filter(household__building=world.building1b).first()
    in_grid2 = Resident.objects.filter(household__building=world.building2).last()  # no phone
    world.group.residents.add(world.resident2, in_grid1, in_grid2)
    return world


def expected(residents):
    return {r.pk for r in residents.filter(phone__isnull=False)}


def messaged(page):
    keys = Message.objects.filter(dedup_key__startswith=f"notice:{page.pk}:").values_list(
        "dedup_key", flat=True
    )
    ids = [int(key.split(":")[3]) for key in keys]
    assert len(ids) == len(set(ids)), "a resident has two messages"
    return set(ids)


def audiences(world):
    everyone = Resident.objects.all()
    return {
        "everyone": ({}, everyone),
        "grids": (
            {"audience": Audience.GRIDS, "audience_grids": [world.grid1]},
            everyone.filter(household__building__grid=world.grid1),
        ),
        "buildings": (
            {"audience": Audience.BUILDINGS, "audience_buildings": [world.building2]},
            everyone.filter(household__building=world.building2),
        ),
        "groups": (
            {"audience": Audience.GROUPS, "audience_groups": [world.group]},
            everyone.filter(groups=world.group),
        ),
    }


@pytest.mark.parametrize("audience", ["everyone", "grids", "buildings", "groups"])
def test_one_sms_per_targeted_resident_with_a_phone(
    people, audience, django_capture_on_commit_callbacks
):
    options, residents = audiences(people)[audience]
    page = draft_notice(**options)
    publish(page)  # on_commit callbacks are not run: nothing is queued yet
    targeted = expected(residents)
    assert targeted and len(targeted) < residents.count()  # someone has no phone

    with django_capture_on_commit_callbacks(execute=True):
        created = fan_out_notice.delay(page.pk).get()
    assert created == len(targeted)
    assert messaged(page) == targeted
    assert set(Message.objects.values_list("channel", flat=True)) == {Channel.SMS}
    assert Message.objects.filter(status=Status.SENT).count() == len(targeted)
    assert SmsLog.objects.count() == len(targeted)
    phones = dict(Resident.objects.filter(pk__in=targeted).values_list("pk", "phone"))
    for message in Message.objects.all():
        assert message.phone == phones[int(message.dedup_key.split(":")[3])]
        assert message.dedup_key.endswith(":sms")

    # A re-run (a redelivered task, a republish) creates and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert fan_out_notice.delay(page.pk).get() == 0
    assert Message.objects.count() == SmsLog.objects.count() == len(targeted)


def test_the_message_says_what_the_notice_is(world, django_capture_on_commit_callbacks):
    page = publish(draft_notice(title="燃气安全检查"))
    with django_capture_on_commit_callbacks(execute=True):
        fan_out_notice(page.pk)
    message = Message.objects.get(dedup_key=f"notice:{page.pk}:resident:{world.resident1.pk}:sms")
    assert message.template == "notices.published"
    assert message.payload["title"] == "燃气安全检查"
    assert message.payload["summary"] == "明天上午停水"
    assert message.payload["url"].endswith(page.url)
    assert "燃气安全检查" in message.sms_log.body


def test_a_draft_notice_sends_nothing(world):
    page = draft_notice()
    assert fan_out_notice(page.pk) == 0
    assert not Message.objects.exists()


def test_a_crashed_fan_out_rerun_completes_it_without_duplicates(world, monkeypatch):
    households = make_households(world.building1, 3)
    make_residents(households, 25)
    page = publish(draft_notice())
    recipients = notice_tasks.notice_recipients

    def crash_after(n):
        def generator(page):
            for i, recipient in enumerate(recipients(page, batch_size=4)):
                if i == n:
                    raise RuntimeError("worker killed")
                yield recipient

        return generator

    monkeypatch.setattr(notice_tasks, "notice_recipients", crash_after(12))
    with pytest.raises(RuntimeError):
        notify.fan_out(
            notice_tasks.notice_recipients(page),
            template="notices.published",
            payload=notice_tasks.notice_payload(page),
            dedup_prefix=f"notice:{page.pk}",
            batch_size=5,
        )
    assert Message.objects.count() == 10  # two whole batches committed, the third not
    monkeypatch.setattr(notice_tasks, "notice_recipients", recipients)
    assert fan_out_notice(page.pk) == 27 - 10
    assert messaged(page) == expected(Resident.objects.all())


def test_fan_out_reads_residents_a_batch_at_a_time(world, monkeypatch):
    households = make_households(world.building2, 4)
    make_residents(households, 60)
    page = publish(draft_notice())
    original = notice_tasks.notice_recipients

    def counting(page, batch_size=25, **kwargs):
        return original(page, batch_size=batch_size, **kwargs)

    monkeypatch.setattr(notice_tasks, "notice_recipients", counting)
    with CaptureQueriesContext(connection) as queries:
        assert fan_out_notice(page.pk) == 62
    reads = [q for q in queries if 'FROM "community_resident"' in q["sql"]]
    # One read of the step's window of residents (up to FAN_OUT_STEP pks), then 62
    # residents 25 a time: three reads and the empty one that ends the loop.
    assert len(reads) == 5
    assert sum("LIMIT 25" in q["sql"] for q in reads) == 4


def test_fan_out_helper_takes_any_recipients(world, django_capture_on_commit_callbacks):
    users = [world.users["resident"], world.users["committee"]]
    recipients = (
        notify.Recipient(key=f"user:{u.pk}", channel=Channel.IN_APP, user_id=u.pk) for u in users
    )
    with django_capture_on_commit_callbacks(execute=True):
        created = notify.fan_out(
            recipients,
            template="notify.plain",
            payload={"subject": "会议", "body": "周五开会"},
            dedup_prefix="meeting:1",
        )
    assert created == 2
    assert Message.objects.inbox(world.users["resident"]).get().dedup_key == (
        f"meeting:1:user:{users[0].pk}:in_app"
    )


# --- publishing ----------------------------------------------------------------------------


def test_publishing_records_the_fan_out_and_queues_it_only_after_commit(
    world, django_capture_on_commit_callbacks
):
    page = draft_notice()
    with mock.patch.object(run_outbox_task, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            page.save_revision().publish()
        # Recorded with the publish, in its transaction; not handed to a worker yet.
        row = OutboxTask.objects.get()
        assert row.handler == "notices.fan_out" and row.kwargs == {"page_id": page.pk}
        assert not apply_async.called
        for callback in callbacks:
            callback()
    apply_async.assert_called_once_with((row.pk,))


def test_a_rolled_back_publish_queues_nothing(world, django_capture_on_commit_callbacks):
    from django.db import transaction

    page = draft_notice()
    with mock.patch.object(run_outbox_task, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError), transaction.atomic():
                page.save_revision().publish()
                raise RuntimeError("rolled back")
    assert not apply_async.called
    assert not OutboxTask.objects.exists()


def test_publish_then_republish_sends_each_resident_one_sms(
    world, django_capture_on_commit_callbacks
):
    page = draft_notice()
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert SmsLog.objects.count() == 2  # world's two residents
    new_resident = ResidentFactory(household=world.household1)
    page.refresh_from_db()
    page.title = "停水通知（更新）"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    # Only the resident who was not there the first time gets one.
    assert SmsLog.objects.count() == 3
    assert SmsLog.objects.filter(message__dedup_key__contains=f":resident:{new_resident.pk}:")
