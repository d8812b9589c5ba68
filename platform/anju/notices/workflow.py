"""Who may write and who may publish notices: Wagtail's own moderation.

Grid workers (网格员) and service staff (服务人员) write notices and submit them for
moderation; committee members (两委人员) approve (publish) or request changes. This is a
Wagtail workflow, "通知审核", with one group-approval task for the committee, attached to
every notice list, and page permissions on each notice list:

==============  ===========================================
role            on a notice list and every notice under it
==============  ===========================================
grid worker     add, change (submit for moderation)
service staff   add, change (submit for moderation)
committee       add, change, publish (and approve)
==============  ===========================================

Writers may also upload and choose documents (the attachments) in the root collection.
``ensure_notice_workflow()`` sets all of it up and is safe to run any number of times; a
new notice list runs it when it is created (NoticeIndexPage.save).
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from anju.permissions import roles

WORKFLOW_NAME = "通知审核"
TASK_NAME = "两委人员审核"

#: role → page permissions ("wagtailcore.<codename>") on every notice list.
PAGE_PERMISSIONS: dict[roles.Role, tuple[str, ...]] = {
    roles.GRID_WORKER: ("add_page", "change_page"),
    roles.SERVICE_STAFF: ("add_page", "change_page"),
    roles.COMMITTEE: ("add_page", "change_page", "publish_page"),
}
#: Document permissions on the root collection, for the attachments.
DOCUMENT_PERMISSIONS = ("add_document", "choose_document")


def _group(role: roles.Role) -> Group:
    return Group.objects.get_or_create(name=role.name)[0]


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def ensure_notice_workflow(index_pages=None) -> Workflow:
    """Create (or repair) the notice workflow and permissions and attach them to
    ``index_pages`` (default: every NoticeIndexPage). Returns the workflow."""
    from .models import NoticeIndexPage

    committee = _group(roles.COMMITTEE)
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).order_by("pk").first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    elif not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).order_by("pk").first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME, active=True)
    elif not task.active:
        task.active = True
        task.save(update_fields=["active"])
    task.groups.add(committee)
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)

    if index_pages is None:
        index_pages = NoticeIndexPage.objects.all()
    page_perms = {
        role: [_permission("wagtailcore", codename) for codename in codenames]
        for role, codenames in PAGE_PERMISSIONS.items()
    }
    groups = {role: _group(role) for role in PAGE_PERMISSIONS}
    for page in index_pages:
        WorkflowPage.objects.update_or_create(page=page, defaults={"workflow": workflow})
        for role, permissions in page_perms.items():
            for permission in permissions:
                GroupPagePermission.objects.get_or_create(
                    group=groups[role], page=page, permission=permission
                )

    root_collection = Collection.get_first_root_node()
    if root_collection is not None:
        doc_perms = [_permission("wagtaildocs", codename) for codename in DOCUMENT_PERMISSIONS]
        for group in groups.values():
            for permission in doc_perms:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission
                )
    return workflow
