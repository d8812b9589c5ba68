from django.core.management.base import BaseCommand

from anju.plugins.grants import setup_roles


class Command(BaseCommand):
    help = (
        "Create or update the role groups (committee, grid worker, ...) with the core's "
        "and every installed plugin's default permissions. Idempotent."
    )

    def handle(self, *args, **options):
        for code, group in setup_roles().items():
            self.stdout.write(f"{code}: {group.name} ({group.permissions.count()} permissions)")
