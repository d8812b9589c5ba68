import time

from django.core.management.base import BaseCommand

from anju.demo.loader import ACCOUNTS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the Anjuyuan (安居苑) demo data. Deterministic and safe to run again."

    def handle(self, *args, **options):
        started = time.perf_counter()
        for line in load_demo():
            self.stdout.write(f"  {line}")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo loaded in {elapsed:.1f} s. Accounts (password for all: {DEMO_PASSWORD}):"
            )
        )
        for account in ACCOUNTS:
            role = account.role.name if account.role else "superuser"
            self.stdout.write(f"  {account.username:<12} {account.full_name}  ({role})")
