"""The outbox: idempotent enqueueing, backends chosen in settings, retries with backoff,
permanent failures, in-app reading, templates (tasks run in-process here)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.utils import timezone

from anju import notify
from anju.notify import outbox, templating
from anju.notify.models import Channel, Message, SmsLog, Status
from anju.notify.tasks import deliver_message, deliver_pending

from .backends import RecordingBackend

pytestmark = pytest.mark.django_db

PAYLOAD = {"title": "停水通知", "summary": "明天停水。", "url": "https://anju.example.cn/n/1/"}
TESTS = "tests.platform.notify.backends"


def sms(key="k1", phone="13800001234", payload=PAYLOAD, template="notices.published", **kw):
    return notify.enqueue(
        channel=Channel.SMS, phone=phone, template=template, payload=payload, dedup_key=key, **kw
    )


# --- enqueueing --------------------------------------------------------------------------


def test_enqueue_is_idempotent(django_capture_on_commit_callbacks, sent_tasks):
    with django_capture_on_commit_callbacks(execute=True):
        first, created = sms()
    assert created
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again, created_again = sms(payload={**PAYLOAD, "title": "另一个"})
    assert not created_again and again.pk == first.pk
    assert callbacks == []  # nothing new to send
    assert Message.objects.count() == 1 and SmsLog.objects.count() == 1
    assert [pk for pk, _countdown in sent_tasks] == [first.pk]


def test_the_database_refuses_a_second_message_with_the_same_key():
    sms()
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            channel=Channel.SMS, phone="13800001234", template="notify.plain", dedup_key="k1"
        )


def test_the_database_refuses_a_message_without_a_recipient_for_its_channel():
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(channel=Channel.SMS, template="notify.plain", dedup_key="x")


def test_enqueue_sends_only_after_commit(django_capture_on_commit_callbacks, sent_tasks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message, _ = sms()
    assert sent_tasks == [] and len(callbacks) == 1
    callbacks[0]()
    message.refresh_from_db()
    assert message.status == Status.SENT


def test_an_unknown_template_is_refused_when_enqueueing():
    with pytest.raises(notify.TemplateError, match="no notification template 'nope.nothing'"):
        sms(template="nope.nothing")
    assert not Message.objects.exists()


def test_the_phone_number_is_encrypted_at_rest():
    message, _ = sms(phone="13912345678")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM notify_message WHERE id = %s", [message.pk])
        (stored,) = cursor.fetchone()
    assert "13912345678" not in stored
    assert Message.objects.get().phone == "13912345678"
    assert message.recipient_display == "139****5678"


# --- backends ----------------------------------------------------------------------------


def test_the_default_sms_backend_writes_the_log_with_the_message(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        message, _ = sms(language="en")
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (Status.SENT, 1, "")
    assert message.sent_at is not None
    log = SmsLog.objects.get()
    assert log.message == message and log.phone == "13800001234"
    assert log.body == "New notice: 停水通知. 明天停水。 Read it at https://anju.example.cn/n/1/"
    assert log.backend == "anju.notify.backends.LogSmsBackend"


def test_delivering_twice_sends_once():
    message, _ = sms()
    assert outbox.deliver(message.pk) == "sent"
    assert outbox.deliver(message.pk) == "already sent"
    assert deliver_message.delay(message.pk).get() == "already sent"
    assert SmsLog.objects.count() == 1


def test_backends_are_chosen_in_settings(django_capture_on_commit_callbacks):
    RecordingBackend.sent.clear()
    with override_settings(NOTIFY_BACKENDS={"sms": f"{TESTS}.RecordingBackend"}):
        with django_capture_on_commit_callbacks(execute=True):
            message, _ = sms()
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert RecordingBackend.sent == [(message.pk, message.render().body)]
    assert not SmsLog.objects.exists()  # the default backend was not used


def test_a_channel_not_named_in_the_setting_keeps_its_default():
    from anju.notify.backends import EmailBackend, get_backend

    with override_settings(NOTIFY_BACKENDS={"sms": f"{TESTS}.RecordingBackend"}):
        assert isinstance(get_backend("email"), EmailBackend)


def test_email_goes_through_django_mail(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify.enqueue(
            channel=Channel.EMAIL,
            email="wang@example.cn",
            template="notices.published",
            payload=PAYLOAD,
            dedup_key="mail",
            language="en",
        )
    [email] = mail.outbox
    assert email.to == ["wang@example.cn"] and email.subject == "New notice: 停水通知"
    assert Message.objects.get().status == Status.SENT


def test_in_app_messages_are_read_in_the_app(world, django_capture_on_commit_callbacks):
    user = world.users["resident"]
    with django_capture_on_commit_callbacks(execute=True):
        message, _ = notify.enqueue(
            channel=Channel.IN_APP,
            user=user,
            template="notify.plain",
            payload={"subject": "你好", "body": "欢迎"},
            dedup_key="hello",
        )
    assert list(Message.objects.inbox(user).unread()) == [message]
    assert not Message.objects.inbox(world.users["committee"]).exists()
    message.mark_read()
    first_read = message.read_at
    assert first_read is not None
    message.mark_read()  # reading it again keeps the first time
    assert Message.objects.get(pk=message.pk).read_at == first_read
    assert not Message.objects.inbox(user).unread().exists()


# --- failures ----------------------------------------------------------------------------


@override_settings(NOTIFY_BACKENDS={"sms": f"{TESTS}.AlwaysTemporaryBackend"})
def test_temporary_failures_back_off_then_fail(django_capture_on_commit_callbacks, sent_tasks):
    with django_capture_on_commit_callbacks(execute=True):
        message, _ = sms()
    message.refresh_from_db()
    assert message.status == Status.FAILED
    assert message.attempts == 5
    assert message.last_error == "TemporaryFailure: provider unreachable"
    # The first task right away, then four retries, each waiting twice as long.
    assert [countdown for _pk, countdown in sent_tasks] == [None, 30, 60, 120, 240]


@override_settings(
    NOTIFY_BACKENDS={"sms": f"{TESTS}.AlwaysTemporaryBackend"}, NOTIFY_MAX_ATTEMPTS=3
)
def test_a_retry_is_due_after_its_backoff():
    message, _ = sms()
    before = timezone.now()
    assert outbox.deliver(message.pk) == "retry"
    message.refresh_from_db()
    assert message.status == Status.PENDING and message.attempts == 1
    assert message.next_attempt_at >= before + timedelta(seconds=30)
    assert outbox.deliver(message.pk) == "retry"
    assert outbox.deliver(message.pk) == "failed"
    assert outbox.deliver(message.pk) == "already failed"


def test_backoff_is_capped_and_respects_the_provider():
    assert [outbox.backoff(n) for n in (1, 2, 3, 4, 5)] == [30, 60, 120, 240, 480]
    assert outbox.backoff(20) == 3600
    assert outbox.backoff(1, retry_after=90) == 90


@override_settings(NOTIFY_BACKENDS={"sms": f"{TESTS}.AlwaysPermanentBackend"})
def test_a_permanent_failure_fails_at_once(django_capture_on_commit_callbacks, sent_tasks):
    with django_capture_on_commit_callbacks(execute=True):
        message, _ = sms()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert message.last_error == "PermanentFailure: no such number"
    assert len(sent_tasks) == 1  # no retry


@override_settings(NOTIFY_BACKENDS={"sms": f"{TESTS}.BrokenBackend"}, NOTIFY_MAX_ATTEMPTS=2)
def test_a_backend_bug_is_retried_then_failed_not_raised(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message, _ = sms()
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 2)
    assert message.last_error == "ZeroDivisionError: oops"


def test_a_failed_send_leaves_no_log_row(monkeypatch):
    from anju.notify.backends import LogSmsBackend

    def send_sms_then_crash(self, phone, text, message):
        raise ValueError("provider client crashed")

    message, _ = sms()
    monkeypatch.setattr(LogSmsBackend, "send_sms", send_sms_then_crash)
    assert outbox.deliver(message.pk) == "retry"
    assert not SmsLog.objects.exists()


# --- templates ---------------------------------------------------------------------------


def test_rendering_with_a_missing_key_is_a_clear_error():
    with pytest.raises(notify.TemplateError) as caught:
        templating.render("notices.published", {"title": "停水"})
    assert str(caught.value) == (
        "Template 'notices.published' needs 'summary' in its body, which the payload does "
        "not have (it has: title)."
    )


def test_a_message_whose_template_cannot_render_fails_and_the_rest_go_on(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        broken, _ = sms(key="broken", payload={"title": "停水"})
        fine, _ = sms(key="fine")
    broken.refresh_from_db()
    fine.refresh_from_db()
    assert (broken.status, broken.attempts) == (Status.FAILED, 1)
    assert broken.last_error.startswith("TemplateError: Template 'notices.published' needs")
    assert fine.status == Status.SENT


def test_messages_are_rendered_in_the_site_language_by_default():
    rendered = templating.render("notices.published", PAYLOAD)
    english = templating.render("notices.published", PAYLOAD, "en")
    assert english.subject == "New notice: 停水通知"
    if rendered != english:  # the zh_Hans catalogue has the template (make messages)
        assert "停水通知" in rendered.subject and PAYLOAD["url"] in rendered.body


def test_templates_are_translated_when_rendered():
    from django.utils.translation import gettext_lazy

    # A lazy translation is looked up in the message's language when it is rendered.
    templating.register_template("tests.greeting", "{name}", gettext_lazy("English"))
    try:
        assert templating.render("tests.greeting", {"name": "王"}, "zh-hans").body == "英文"
        assert templating.render("tests.greeting", {"name": "王"}, "en").body == "English"
        assert templating.render("tests.greeting", {"name": "王"}).body == "英文"  # default
    finally:
        templating.unregister_template("tests.greeting")


def test_template_registration_rules():
    with pytest.raises(ValueError, match="must look like"):
        templating.register_template("Bad Code", "s", "b")
    with pytest.raises(ValueError, match="not a valid str.format template"):
        templating.register_template("tests.bad", "s", "{unclosed")
    with pytest.raises(ValueError, match="already registered"):
        templating.register_template("notices.published", "other", "other")
    # the same text again is fine (an app loaded twice)
    core = templating.get_template("notices.published")
    templating.register_template(core.code, core.subject, core.body)


def test_plugin_templates_reach_the_notify_registry():
    # tests/dummy_plugin declares "dummy_plugin.thing_ready" as a NotificationTemplate.
    rendered = templating.render("dummy_plugin.thing_ready", {"name": "小王"})
    assert rendered == templating.Rendered("Your thing", "小王, your thing is ready.")


# --- lost tasks ----------------------------------------------------------------------------


def test_deliver_pending_resends_lost_messages(django_capture_on_commit_callbacks, sent_tasks):
    lost, _ = sms(key="lost")  # its task was never run (on_commit not executed)
    recent, _ = sms(key="recent")
    Message.objects.filter(pk=lost.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=11)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver_pending.delay().get() == 1
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert lost.status == Status.SENT
    assert recent.status == Status.PENDING  # its task may still be on its way
    assert [pk for pk, _ in sent_tasks] == [lost.pk]


def test_deliver_pending_leaves_sent_and_failed_messages_alone(django_capture_on_commit_callbacks):
    old = timezone.now() - timedelta(hours=1)
    for key, status in (("a", Status.SENT), ("b", Status.FAILED)):
        message, _ = sms(key=key)
        Message.objects.filter(pk=message.pk).update(status=status, next_attempt_at=old)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.redeliver_stale() == 0


def test_deliver_pending_works_in_chunks_up_to_a_limit(sent_tasks):
    for i in range(7):
        sms(key=f"m{i}")
    Message.objects.update(next_attempt_at=timezone.now() - timedelta(hours=1))
    assert outbox.redeliver_stale(limit=5, chunk=2) == 5
    assert outbox.redeliver_stale(limit=5, chunk=2) == 2  # the others are due again later
