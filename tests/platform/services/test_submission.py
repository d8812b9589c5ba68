"""Turning a submitted form into a case: the reference number, who gets it, its SLA
deadlines, idempotency (also under a real concurrent double submit), all-or-nothing
saving, filing on a resident's behalf, form versions, the SMS, and attachments."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from anju.notify.models import Message
from anju.services import submission
from anju.services.fieldtypes import build_form_class
from anju.services.models import (
    Case,
    CaseAttachment,
    CaseEvent,
    FormVersion,
    HandlerRole,
    Level,
    Service,
    ServiceField,
    Status,
)
from anju.services.submission import Requester, submit

from .conftest import answers_for, file_case

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def saved_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def file_field(service) -> str:
    return next(s["name"] for s in service.current_version.fields if s["type"] == "file")


def bound_form(service, files=None, user=None, **answers):
    """A bound, validated form of ``service``'s current version."""
    form_class = build_form_class(service.current_version.fields, user)
    form = form_class(answers_for(service, **answers), files or {})
    form.is_valid()
    return form


# --- the reference number -------------------------------------------------------------


def test_a_reference_is_eight_digits_and_unique(world, built_service):
    references = [
        file_case(built_service, household=world.household1, phone=f"1381234{i:04d}").reference
        for i in range(30)
    ]
    assert all(len(r) == 8 and r.isdigit() and r[0] != "0" for r in references)
    assert len(set(references)) == len(references)


def test_a_reference_already_taken_is_never_given_again(world, built_service, monkeypatch):
    taken = file_case(built_service, household=world.household1).reference
    draws = iter([int(taken), 1234567, int(taken), 87654321])  # 01234567: leading zero
    monkeypatch.setattr(submission.secrets, "randbelow", lambda n: next(draws))
    assert submission.new_reference() == "87654321"


def test_references_read_out_in_two_groups_and_are_typed_any_way():
    assert submission.format_reference("48210937") == "4821 0937"
    assert submission.normalise_reference(" 4821-0937 ") == "48210937"


# --- who gets it, and by when ---------------------------------------------------------


def test_a_case_goes_to_the_grid_worker_of_the_households_grid(world, built_service):
    case = file_case(built_service, household=world.household1)
    assert case.grid == world.grid1 and case.community == world.community
    assert case.assignee == world.users["grid_worker"]
    assert (case.status, case.level) == (Status.SUBMITTED, Level.GRID)
    assert Message.objects.filter(
        channel="in_app", user=case.assignee, template="services.assigned"
    ).exists()


def test_a_grid_without_a_grid_worker_leaves_the_case_unassigned(world, built_service):
    case = file_case(built_service, household=world.household2)
    assert case.grid == world.grid2 and case.assignee is None


def test_a_committee_service_goes_to_the_grids_committee_seat(world, built_service):
    built_service.handler_role = HandlerRole.COMMITTEE
    built_service.save()
    case = file_case(built_service, household=world.household1)
    assert case.assignee == world.users["committee"]


def test_a_service_staff_service_waits_in_their_inbox(world, built_service):
    built_service.handler_role = HandlerRole.SERVICE_STAFF
    built_service.save()
    case = file_case(built_service, household=world.household1)
    assert case.assignee is None and case.grid == world.grid1


def test_without_a_household_the_case_belongs_to_the_services_community(world, built_service):
    case = file_case(built_service)
    assert case.community == world.community and case.grid is None and case.assignee is None


def test_the_sla_deadlines_come_from_the_services_hours(world, built_service):
    built_service.accept_hours, built_service.resolve_hours = 4, 48
    built_service.save()
    before = timezone.now()
    case = file_case(built_service, household=world.household1)
    after = timezone.now()
    assert before <= case.created_at <= after
    assert case.accept_due == case.created_at + timezone.timedelta(hours=4)
    assert case.resolve_due == case.created_at + timezone.timedelta(hours=48)
    assert not case.is_overdue() and case.sla_state() == "ok"
    assert case.is_overdue(case.created_at + timezone.timedelta(hours=5))


# --- idempotency ----------------------------------------------------------------------


def test_the_same_key_from_the_same_requester_makes_one_case(world, built_service):
    first = file_case(built_service, household=world.household1, key="k-1")
    again = file_case(built_service, household=world.household1, key="k-1")
    assert again.pk == first.pk
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1
    assert Message.objects.filter(template="services.filed").count() == 1


def test_the_second_submit_says_it_made_nothing(world, built_service):
    def go():
        return submit(
            built_service,
            bound_form(built_service),
            requester=Requester(name="王小明", phone="13812345678"),
            idempotency_key="tap-tap",
        )

    case, created = go()
    again, created_again = go()
    assert (created, created_again) == (True, False) and again.pk == case.pk


def test_the_same_key_from_another_phone_makes_another_case(world, built_service):
    a = file_case(built_service, household=world.household1, key="k-1")
    b = file_case(built_service, household=world.household1, key="k-1", phone="13900001111")
    assert a.pk != b.pk and Case.objects.count() == 2


def test_the_same_key_from_another_account_makes_another_case(world, built_service):
    a = file_case(built_service, key="k-1", user=world.users["resident"])
    b = file_case(built_service, key="k-1", user=world.users["committee"])
    assert a.pk != b.pk
    assert file_case(built_service, key="k-1", user=world.users["resident"]).pk == a.pk


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_concurrent_double_submit_makes_one_case(world, built_service):
    """Two requests with the same key at the same moment, each in its own connection:
    both pass the "seen this key?" check, one insert wins, the other returns its case."""
    barrier = threading.Barrier(2)
    results, errors = [], []

    def double_tap():
        try:
            form = bound_form(built_service)
            assert form.is_valid(), form.errors
            barrier.wait(timeout=10)
            results.append(
                submit(
                    built_service,
                    form,
                    requester=Requester(name="王小明", phone="13812345678"),
                    household=world.household1,
                    idempotency_key="same-tap",
                )
            )
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=double_tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert Case.objects.count() == 1
    (case_a, created_a), (case_b, created_b) = results
    assert case_a.pk == case_b.pk and sorted([created_a, created_b]) == [False, True]
    assert CaseEvent.objects.count() == 1
    assert Message.objects.filter(template="services.filed").count() == 1


# --- all or nothing -------------------------------------------------------------------


def test_a_failing_hook_saves_nothing_and_touches_nothing_earlier(world, built_service, _media):
    earlier = file_case(built_service, household=world.household1)
    earlier_row = Case.objects.values().get(pk=earlier.pk)
    files_before = saved_files(_media)
    counts = (Case.objects.count(), CaseEvent.objects.count(), CaseAttachment.objects.count())
    messages = Message.objects.count()
    form = bound_form(
        built_service,
        files={file_field(built_service): SimpleUploadedFile("leak.png", PNG, "image/png")},
    )
    assert form.is_valid(), form.errors
    seen = []

    def on_submit(case, form):
        seen.append(case.pk)
        assert CaseAttachment.objects.filter(case=case).count() == 1  # made, then undone
        raise RuntimeError("the plugin's own records could not be saved")

    with pytest.raises(RuntimeError):
        submit(
            built_service,
            form,
            requester=Requester(name="李大红", phone="13987654321"),
            household=world.household1,
            on_submit=on_submit,
            idempotency_key="hook-fails",
        )
    assert seen, "the hook ran"
    assert not Case.objects.filter(pk=seen[0]).exists()
    assert (
        Case.objects.count(),
        CaseEvent.objects.count(),
        CaseAttachment.objects.count(),
    ) == counts
    assert Message.objects.count() == messages
    assert saved_files(_media) == files_before, "the upload stayed on disk"
    assert Case.objects.values().get(pk=earlier.pk) == earlier_row
    # The key was not used up: the retry makes the case.
    case, created = submit(
        built_service,
        bound_form(built_service),
        requester=Requester(name="李大红", phone="13987654321"),
        household=world.household1,
        idempotency_key="hook-fails",
    )
    assert created and case.pk != earlier.pk


def test_the_hook_runs_in_the_cases_transaction(world, built_service):
    def on_submit(case, form):
        assert connection.in_atomic_block
        case.data["plugin"] = "ok"

    case, _created = submit(
        built_service,
        bound_form(built_service),
        requester=Requester(name="王小明", phone="13812345678"),
        on_submit=on_submit,
    )
    assert Case.objects.filter(pk=case.pk).exists()


# --- filing on someone's behalf (代办) ------------------------------------------------


def test_a_grid_worker_files_on_a_residents_behalf(world, built_service):
    worker = world.users["grid_worker"]
    case = file_case(
        built_service,
        household=world.household1,
        name="张奶奶",
        phone="13700001234",
        filed_by=worker,
    )
    assert case.on_behalf and case.filed_by == worker and case.requester_user is None
    assert case.requester_name == "张奶奶" and case.phone_last4 == "1234"
    event = case.events.get()
    assert event.kind == CaseEvent.Kind.FILED and event.actor == worker
    assert event.public and "代办" in event.text
    sms = Message.objects.get(template="services.filed")
    assert sms.phone == "13700001234"  # the resident hears of it, not the worker


def test_a_resident_filing_for_themselves_is_not_on_behalf(world, built_service):
    resident = world.users["resident"]
    case = file_case(built_service, user=resident, filed_by=resident)
    assert not case.on_behalf and case.filed_by == resident and case.requester_user == resident
    assert case.events.get().text == ""
    anonymous = file_case(built_service)
    assert not anonymous.on_behalf and anonymous.filed_by is None


# --- form versions --------------------------------------------------------------------


def test_editing_a_form_makes_a_new_version_and_old_cases_keep_theirs(world, built_service):
    v1 = built_service.current_version
    assert v1.number == 1
    old = file_case(built_service, household=world.household1)
    assert old.version == v1
    labels_v1 = [label for label, _value in old.answers]
    assert labels_v1 == ["什么坏了", "详细情况", "紧急程度", "照片"]

    field = built_service.form_fields.get(label="什么坏了")
    field.label = "需要维修的东西"
    field.save()
    ServiceField.objects.create(
        service=built_service,
        sort_order=9,
        label="方便上门的时间",
        field_type="text",
        required=False,
    )
    built_service.refresh_from_db()
    v2 = built_service.snapshot()
    assert v2.number == 2 and built_service.current_version == v2
    assert FormVersion.objects.filter(service=built_service).count() == 2
    assert built_service.snapshot() == v2  # nothing changed: no third version

    new = file_case(built_service, household=world.household1)
    assert new.version == v2
    assert [label for label, _v in new.answers][0] == "需要维修的东西"
    # The old case reads as it was filed.
    old = Case.objects.get(pk=old.pk)
    assert [label for label, _value in old.answers] == labels_v1
    assert dict(old.answers)["什么坏了"] == "水管漏水"


def test_an_optional_answer_left_empty_reads_as_empty(world, built_service):
    case = Case.objects.get(pk=file_case(built_service, household=world.household1).pk)
    assert dict(case.answers)["照片"] == ""
    assert file_field(built_service) not in case.data


# --- messages -------------------------------------------------------------------------


def test_the_requester_is_sent_the_reference_by_sms(world, built_service):
    case = file_case(built_service, household=world.household1, phone="138-1234-5678")
    assert case.requester_phone == "13812345678" and case.phone_last4 == "5678"
    sms = Message.objects.get(template="services.filed")
    assert sms.channel == "sms" and sms.phone == "13812345678"
    assert sms.payload == {"reference": case.reference, "service": "报修"}
    assert sms.dedup_key == f"services:case:{case.pk}:filed"


def test_the_answers_are_stored_encrypted(world, built_service):
    case = file_case(built_service, household=world.household1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT data, requester_phone FROM services_case WHERE id = %s", [case.pk])
        data, phone = cursor.fetchone()
    assert "水管漏水" not in str(data) and "13812345678" not in str(phone)


# --- attachments ----------------------------------------------------------------------


def test_a_file_answer_becomes_an_attachment(world, built_service, _media):
    name = file_field(built_service)
    form = bound_form(built_service, files={name: SimpleUploadedFile("水管.png", PNG, "image/png")})
    assert form.is_valid(), form.errors
    case, _created = submit(
        built_service,
        form,
        requester=Requester(name="王小明", phone="13812345678"),
        household=world.household1,
    )
    attachment = CaseAttachment.objects.get(case=case)
    assert (attachment.field, attachment.name, attachment.size) == (name, "水管.png", len(PNG))
    assert attachment.content_type == "image/png" and attachment.public
    assert attachment.file.read() == PNG
    case = Case.objects.get(pk=case.pk)
    # The encrypted JSON field gives every value back as a string.
    # Answers keep their types (the attachment's id is a number).
    assert case.data[name] == {"file": "水管.png", "attachment": attachment.pk}
    assert dict(case.answers)["照片"] == "水管.png"
    assert len(saved_files(_media)) == 1


@pytest.mark.parametrize(
    "upload,message",
    [
        pytest.param(
            SimpleUploadedFile("big.png", PNG + b"\x00" * 2000, "image/png"),
            "files may be at most",
            id="too-large",
        ),
        pytest.param(
            SimpleUploadedFile(
                "setup.exe", b"MZ\x90\x00" + b"\x00" * 60, "application/octet-stream"
            ),
            "is not a kind of file we accept",
            id="wrong-extension",
        ),
        pytest.param(
            SimpleUploadedFile("photo.png", b"MZ\x90\x00" + b"\x00" * 60, "image/png"),
            "is not really a PNG file",
            id="content-does-not-match",
        ),
        pytest.param(
            SimpleUploadedFile("report.pdf", PNG, "application/pdf"),
            "is not really a PDF file",
            id="png-named-pdf",
        ),
    ],
)
@override_settings(SERVICES_MAX_UPLOAD_BYTES=1024, LANGUAGE_CODE="en")
def test_the_form_refuses_bad_uploads_with_a_clear_message(
    world, built_service, upload, message, _media
):
    from django.utils import translation

    name = file_field(built_service)
    with translation.override("en"):
        form = bound_form(built_service, files={name: upload})
        assert not form.is_valid()
        errors = form.errors[name]
    assert len(errors) == 1 and message in errors[0]
    assert upload.name in errors[0]
    assert Case.objects.count() == 0 and saved_files(_media) == []


@override_settings(SERVICES_MAX_UPLOAD_BYTES=1024)
def test_the_size_message_names_both_sizes(world, built_service):
    from django.utils import translation

    name = file_field(built_service)
    with translation.override("en"):
        form = bound_form(
            built_service,
            files={name: SimpleUploadedFile("big.pdf", PDF + b"0" * 4000, "application/pdf")},
        )
        assert not form.is_valid()
        assert form.errors[name] == ["“big.pdf” is 4.0\xa0KB; files may be at most 1.0\xa0KB."]


def test_an_accepted_upload_of_each_kind_passes(world, built_service):
    name = file_field(built_service)
    for filename, content in (
        ("a.pdf", PDF),
        ("b.PNG", PNG),
        ("c.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20),
    ):
        form = bound_form(built_service, files={name: SimpleUploadedFile(filename, content)})
        assert form.is_valid(), (filename, form.errors)


def test_a_service_can_be_filed_before_anyone_snapshotted_it(world):
    service = Service.objects.create(
        title="开具证明", slug="certificate", community=world.community
    )
    ServiceField.objects.create(service=service, label="证明用途", field_type="text")
    assert service.current_version is None
    fields = service.schema()
    form = build_form_class(fields)({fields[0]["name"]: "上学"})
    assert form.is_valid()
    case, _created = submit(service, form, requester=Requester(name="王小明", phone="13812345678"))
    assert case.version.number == 1 and dict(case.answers) == {"证明用途": "上学"}
