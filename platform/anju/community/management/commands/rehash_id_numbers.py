from django.core.management.base import BaseCommand
from django.db import transaction

from anju.community.models import Resident, id_number_digest, phone_digest


class Command(BaseCommand):
    help = (
        "Recompute every resident's ID-number and phone digests. Run once after changing "
        "ID_NUMBER_HASH_KEY; safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, **options):
        changed = 0
        with transaction.atomic():
            batch = []
            for resident in Resident.objects.only(
                "pk", "id_number", "id_number_digest", "phone", "phone_digest"
            ).iterator(chunk_size=batch_size):
                digest = id_number_digest(resident.id_number)
                phone = phone_digest(resident.phone)
                if (digest, phone) != (resident.id_number_digest, resident.phone_digest):
                    resident.id_number_digest = digest
                    resident.phone_digest = phone
                    batch.append(resident)
                if len(batch) >= batch_size:
                    changed += Resident.objects.bulk_update(
                        batch, ["id_number_digest", "phone_digest"]
                    )
                    batch = []
            changed += Resident.objects.bulk_update(batch, ["id_number_digest", "phone_digest"])
        self.stdout.write(f"{changed} digests updated")
