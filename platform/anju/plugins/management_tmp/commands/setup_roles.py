from django.core.management.base import BaseCommand

from anju.permissions.roles import setup_roles


class Command(BaseCommand):
    help = "Create or update the role groups (committee, grid worker, ...). Idempotent."

    def handle(self, *args, **options):
        groups = setup_roles()
        for code, group in groups.items():
            self.stdout.write(f"{code}: {group.name}")
