"""Rules written once and used everywhere: the overdue rule (inbox tab, SLA sweep, case
colour), who holds a case at community level (one escalation and the sweep's batch),
where uploads are stored, the follow-up form, and Cache-Control: private keeping
one visitor's pages out of the anonymous page cache."""

import re

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone

from anju.community.models import TeamRole
from anju.permissions import PermissionMenuItem
from anju.services import FollowUpForm, sla, upload_path, workflow
from anju.services.admin.inbox import tab_q
from anju.services.models import Case, Level, Status, overdue_q
from tests import factories as f

from .conftest import file_case

HOUR = timezone.timedelta(hours=1)


def test_the_overdue_rule_is_one_rule_for_lists_rows_and_the_inbox(world, built_service):
    worker = world.users["grid_worker"]
    submitted = file_case(built_service, household=world.household1)
    accepted = file_case(built_service, household=world.household1, phone="13800000001")
    workflow.transition(accepted, Status.ACCEPTED, worker)
    resolved = file_case(built_service, household=world.household1, phone="13800000002")
    Case.objects.filter(pk=resolved.pk).update(status=Status.RESOLVED)
    escalated = file_case(built_service, household=world.household2, phone="13800000003")
    workflow.escalate(escalated, actor=world.users["committee"])
    for hours, late in (
        (1, set()),
        (25, {submitted.pk}),  # past accepting (24 h)
        (80, {submitted.pk, accepted.pk, escalated.pk}),  # past resolving (72 h)
    ):
        now = timezone.now() + hours * HOUR
        rows = list(Case.objects.all())
        assert {c.pk for c in rows if c.is_overdue(now)} == late
        assert set(Case.objects.overdue(now).values_list("pk", flat=True)) == late
        assert set(Case.objects.filter(overdue_q(now)).values_list("pk", flat=True)) == late
        inbox = Case.objects.filter(tab_q("overdue", world.users["superuser"], now))
        assert set(inbox.values_list("pk", flat=True)) == late


def test_one_escalation_and_the_sweep_choose_the_same_holder(world, built_service):
    committee = world.users["committee"]
    other = f.UserFactory(username="committee2")
    f.seat(other, world.grid2, TeamRole.COMMITTEE)
    by_hand = file_case(built_service, household=world.household2)
    by_sweep = file_case(built_service, household=world.household2, phone="13800000009")
    in_grid1 = file_case(built_service, household=world.household1, phone="13800000008")

    workflow.escalate(by_hand, actor=committee, reason="大事")
    sla.sweep_overdue(now=timezone.now() + 25 * HOUR)

    assert workflow.community_holders([world.grid1.pk, world.grid2.pk]) == {
        world.grid1.pk: committee.pk,
        world.grid2.pk: other.pk,
    }
    for case, holder in ((by_hand, other), (by_sweep, other), (in_grid1, committee)):
        case.refresh_from_db()
        assert (case.status, case.level, case.assignee) == (
            Status.ESCALATED,
            Level.COMMUNITY,
            holder,
        )
        event = case.events.order_by("pk").last()
        assert event.to_status == Status.ESCALATED and event.public
    assert workflow.community_holder(by_hand) == other
    # Resolving is due the service's resolve_hours after escalation, both ways.
    assert by_hand.resolve_due - by_hand.escalated_at == 72 * HOUR
    assert by_sweep.resolve_due - by_sweep.escalated_at == 72 * HOUR


def test_a_grid_without_a_committee_seat_escalates_to_nobody_in_particular(world, built_service):
    case = file_case(built_service, household=world.household2)
    assert workflow.community_holders([world.grid2.pk]) == {}
    workflow.escalate(case, actor=world.users["committee"])
    case.refresh_from_db()
    assert case.level == Level.COMMUNITY and case.assignee is None


def test_upload_paths_keep_no_part_of_the_uploaded_name():
    path = upload_path("cases", "../../etc/我的 照片.JPG")
    assert re.fullmatch(r"cases/\d{4}/\d{2}/[0-9a-f]{24}\.jpg", path), path
    assert upload_path("cases", "a.pdf") != upload_path("cases", "a.pdf")
    assert re.fullmatch(r"x/y/\d{4}/\d{2}/[0-9a-f]{24}", upload_path("x/y", "no-extension"))


def test_the_follow_up_form_words_its_question_per_use():
    class Worded(FollowUpForm):
        settled_label = "Did it hold?"
        settled_choices = (("yes", "Yes"), ("no", "It flared up again"))

    form = Worded({"settled": "no", "satisfaction": "4"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["settled"] is False and form.cleaned_data["satisfaction"] == 4
    assert form.fields["settled"].label == "Did it hold?"
    assert FollowUpForm().fields["settled"].label != "Did it hold?"
    bad = FollowUpForm({"settled": "maybe", "satisfaction": "9"})
    assert not bad.is_valid() and set(bad.errors) == {"settled", "satisfaction"}


def test_a_permission_menu_item_shows_only_with_its_permission(world):
    item = PermissionMenuItem("Cases", "/admin/cases/", permission="services.view_case")
    request = RequestFactory().get("/admin/")
    request.user = world.users["grid_worker"]
    assert item.is_shown(request)
    request.user = world.users["resident"] if "resident" in world.users else AnonymousUser()
    assert not item.is_shown(request)

    class ByClass(PermissionMenuItem):
        permission = "services.view_case"

    request.user = world.users["grid_worker"]
    assert ByClass("Cases", "/admin/cases/").is_shown(request)
    try:
        PermissionMenuItem("Nothing", "/admin/")
    except TypeError:
        pass
    else:
        raise AssertionError("a PermissionMenuItem without a permission was made")
