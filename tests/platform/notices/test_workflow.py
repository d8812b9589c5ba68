"""Moderation: grid workers and service staff write notices and submit them; committee
members approve (publish) them. Wagtail's own workflow ("通知审核"), through the admin."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowState,
)
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from anju.core.tasks import publish_scheduled_pages
from anju.notices.models import NoticePage
from anju.notices.workflow import TASK_NAME, WORKFLOW_NAME, ensure_notice_workflow
from anju.permissions import roles

from .conftest import make_notice

pytestmark = pytest.mark.django_db

WRITERS = ["grid_worker", "service_staff"]


def add_url(index):
    return reverse("wagtailadmin_pages:add", args=["notices", "noticepage", index.pk])


def notice_form(title="低保申请", action="action-submit", **extra):
    data = {
        "title": title,
        "slug": extra.pop("slug", "dibao"),
        "category": "policy",
        "summary": "三月底前办理。",
        "body": rich_text("<p>请携带户口簿。</p>"),
        "attachments": inline_formset([]),
        "comments": inline_formset([]),
        "audience": "everyone",
        action: action,
        **extra,
    }
    return nested_form_data(data)


def approve_url(page, action="approve"):
    state = page.current_workflow_state.current_task_state
    return reverse("wagtailadmin_pages:workflow_action", args=[page.pk, action, state.pk])


def submit_as(client, user, index, **kwargs) -> NoticePage:
    client.force_login(user)
    response = client.post(add_url(index), notice_form(**kwargs))
    assert response.status_code == 302, (
        getattr(response, "context", None) and response.context["form"].errors
    )
    return NoticePage.objects.get(slug=kwargs.get("slug", "dibao"))


# --- set-up -----------------------------------------------------------------------------


def test_a_new_notice_list_is_moderated_by_the_committee(world, notice_index):
    workflow = notice_index.get_workflow()
    assert workflow is not None and workflow.name == WORKFLOW_NAME
    task = workflow.tasks.get().specific
    assert isinstance(task, GroupApprovalTask) and task.name == TASK_NAME
    assert list(task.groups.values_list("name", flat=True)) == [roles.COMMITTEE.name]

    def perms(role):
        return set(
            GroupPagePermission.objects.filter(
                page=notice_index, group__name=role.name
            ).values_list("permission__codename", flat=True)
        )

    assert perms(roles.GRID_WORKER) == {"add_page", "change_page"}
    assert perms(roles.SERVICE_STAFF) == {"add_page", "change_page"}
    assert perms(roles.COMMITTEE) == {"add_page", "change_page", "publish_page"}
    assert perms(roles.RESIDENT_REP) == set() and perms(roles.RESIDENT) == set()


def test_ensure_notice_workflow_is_idempotent(world, notice_index):
    counts = (
        Workflow.objects.count(),
        GroupApprovalTask.objects.count(),
        WorkflowPage.objects.count(),
        GroupPagePermission.objects.count(),
        Group.objects.count(),
    )
    for _ in range(2):
        assert ensure_notice_workflow().name == WORKFLOW_NAME
    assert (
        Workflow.objects.count(),
        GroupApprovalTask.objects.count(),
        WorkflowPage.objects.count(),
        GroupPagePermission.objects.count(),
        Group.objects.count(),
    ) == counts
    assert Workflow.objects.filter(name=WORKFLOW_NAME).count() == 1


def test_ensure_notice_workflow_repairs_a_deactivated_workflow(world, notice_index):
    workflow = notice_index.get_workflow()
    workflow.deactivate()
    assert notice_index.get_workflow().name != WORKFLOW_NAME  # Wagtail's default, above
    ensure_notice_workflow()
    notice_index.refresh_from_db()
    assert notice_index.get_workflow().pk == workflow.pk


# --- writers submit, the committee approves -----------------------------------------------


@pytest.mark.parametrize("role", WRITERS)
def test_a_writer_submits_and_the_committee_approves(client, world, notice_index, role):
    notice = submit_as(client, world.users[role], notice_index)
    assert not notice.live
    state = notice.current_workflow_state
    assert state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.requested_by == world.users[role]
    assert client.get(notice.url or f"/notices/{notice.slug}/").status_code == 404

    # The writer cannot approve their own notice.
    response = client.post(approve_url(notice))
    notice.refresh_from_db()
    assert response.status_code in (302, 403) and not notice.live

    client.force_login(world.users["committee"])
    response = client.post(approve_url(notice))
    assert response.status_code in (200, 302)
    notice.refresh_from_db()
    assert notice.live
    assert notice.current_workflow_state is None
    client.logout()
    response = client.get(notice.url)
    assert response.status_code == 200 and "请携带户口簿。" in response.content.decode()
    assert "低保申请" in client.get("/notices/").content.decode()


@pytest.mark.parametrize("role", WRITERS)
def test_a_writer_cannot_publish(client, world, notice_index, role):
    user = world.users[role]
    assert not notice_index.permissions_for_user(user).can_publish_subpage()
    notice = submit_as(client, user, notice_index, action="action-publish")
    assert not notice.live  # saved as a draft, nothing published
    assert not notice.permissions_for_user(user).can_publish()
    assert notice.permissions_for_user(user).can_edit()


def test_the_committee_requests_changes(client, world, notice_index):
    notice = submit_as(client, world.users["grid_worker"], notice_index)
    client.force_login(world.users["committee"])
    client.post(approve_url(notice, "reject"), {"comment": "请补充办理时间"})
    notice.refresh_from_db()
    assert not notice.live
    state = WorkflowState.objects.for_instance(notice).get()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES


def test_the_committee_may_publish_directly(client, world, notice_index):
    client.force_login(world.users["committee"])
    response = client.post(add_url(notice_index), notice_form(action="action-publish"))
    assert response.status_code == 302
    notice = NoticePage.objects.get(slug="dibao")
    assert notice.live


@pytest.mark.parametrize("role", ["resident_rep", "resident"])
def test_others_cannot_write_notices(client, world, notice_index, role):
    client.force_login(world.users[role])
    response = client.get(add_url(notice_index))
    assert response.status_code in (302, 403)
    response = client.post(add_url(notice_index), notice_form())
    assert response.status_code in (302, 403)
    assert not NoticePage.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, notice_index):
    response = client.post(add_url(notice_index), notice_form())
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not NoticePage.objects.exists()


def test_an_approved_notice_with_a_later_go_live_waits_for_its_time(client, world, notice_index):
    go_live = timezone.localtime() + datetime.timedelta(days=1)
    notice = submit_as(
        client,
        world.users["grid_worker"],
        notice_index,
        go_live_at=go_live.strftime("%Y-%m-%d %H:%M"),
    )
    client.force_login(world.users["committee"])
    client.post(approve_url(notice))
    notice.refresh_from_db()
    assert not notice.live  # approved, scheduled
    revision = notice.revisions.get(approved_go_live_at__isnull=False)

    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.content["go_live_at"] = past.isoformat()
    revision.approved_go_live_at = past
    revision.save()
    publish_scheduled_pages.delay()
    notice.refresh_from_db()
    assert notice.live
    client.logout()
    assert "低保申请" in client.get("/notices/").content.decode()


def test_the_workflow_covers_notices_created_in_code(world, notice_index):
    notice = make_notice(notice_index, publish=False)
    assert notice.get_workflow().name == WORKFLOW_NAME


def test_writers_preview_a_new_notice_before_submitting(client, world, notice_index):
    client.force_login(world.users["grid_worker"])
    url = reverse(
        "wagtailadmin_pages:preview_on_add", args=["notices", "noticepage", notice_index.pk]
    )
    response = client.post(url, notice_form(title="预览中的通知"))
    assert response.status_code == 200 and response.json()["is_valid"]
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "预览中的通知" in html and "请携带户口簿。" in html
    assert not NoticePage.objects.exists()
