"""``manage.py setup_notice_workflow``: create or repair the notice moderation workflow
and permissions on every notice list (idempotent; new notice lists get it anyway)."""

from django.core.management.base import BaseCommand

from anju.notices.workflow import ensure_notice_workflow


class Command(BaseCommand):
    help = "Create or repair the notice moderation workflow on every notice list."

    def handle(self, *args, **options):
        workflow = ensure_notice_workflow()
        pages = workflow.workflow_pages.count()
        self.stdout.write(f"Workflow {workflow.name!r} on {pages} notice list(s).")
