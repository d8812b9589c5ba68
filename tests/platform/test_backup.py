"""Backup and restore (README, "Backup and restore"): the demo's database and uploads go
out with ``manage.py dbbackup`` and ``mediabackup`` (django-dbbackup: pg_dump and a tar
of the media storage) and come back with ``dbrestore`` and ``mediarestore``, row for
row and byte for byte, after a bad day deleted both."""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

PNG = b"\x89PNG\r\n\x1a\n" + b"\1" * 64


def _counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_demo_round_trips_through_backup_and_restore(settings, tmp_path):
    from anju.services import workflow
    from anju.services.models import Case, CaseAttachment, CaseEvent

    settings.MEDIA_ROOT = str(tmp_path / "media")
    quiet = open("/dev/null", "w")  # noqa: SIM115
    call_command("load_demo", stdout=quiet)
    case = Case.objects.order_by("pk").first()
    upload = SimpleUploadedFile("现场.png", PNG, content_type="image/png")
    attachment = workflow.add_attachment(case, upload, public=False)
    before = _counts()
    assert before["services.Case"] >= 40 and before["community.Resident"] > 2000
    assert before["services.CaseEvent"] > 40

    backups = tmp_path / "backups"
    backups.mkdir()
    call_command("dbbackup", "--noinput", "-O", str(backups / "db.dump"), stdout=quiet)
    call_command("mediabackup", "--noinput", "-O", str(backups / "media.tar"), stdout=quiet)
    assert (backups / "db.dump").stat().st_size > 100_000

    # A bad day: every request's timeline and attachments deleted, an upload lost.
    CaseAttachment.objects.all().delete()
    CaseEvent.objects.all().delete()
    (tmp_path / "media" / attachment.file.name).unlink()
    assert _counts() != before

    call_command("dbrestore", "--noinput", "-I", str(backups / "db.dump"), stdout=quiet)
    call_command(
        "mediarestore", "--noinput", "--replace", "-I", str(backups / "media.tar"), stdout=quiet
    )
    assert _counts() == before
    restored = CaseAttachment.objects.get(pk=attachment.pk)
    assert (tmp_path / "media" / restored.file.name).read_bytes() == PNG
