"""Uploads on S3-compatible object storage (MEDIA_S3_BUCKET), so several app machines
share them and none keeps files on its own disk: tested against a real S3-protocol
server (moto's, a process of its own on a free port), through the portal form and the
permission-checked download view."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from anju.services.models import Case
from anju.services.models import CaseAttachment as Attachment
from tests.platform.services.conftest import built_service  # noqa: F401
from tests.platform.services.test_portal import fields_of, form_page, valid_post  # noqa: F401

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
BUCKET = "anju-media-test"
MOTO = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    port = _free_port()
    process = subprocess.Popen(
        [MOTO, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError("moto_server did not start")
    yield url
    process.kill()
    process.wait(timeout=10)


@pytest.fixture
def s3_media(settings, s3_server):
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "access_key": "test",
                "secret_key": "test",
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
    settings.MEDIA_ACCEL_REDIRECT_PREFIX = "/protected-media/"  # ignored for S3 files
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])


def _stored_keys(client) -> list[str]:
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_a_portal_upload_lands_in_the_bucket_and_only_staff_get_it_back(
    s3_media,
    world,
    form_page,  # noqa: F811
    s3_server,
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = str(tmp_path / "local-media")  # must stay empty
    names = fields_of(form_page.service)
    upload = SimpleUploadedFile("漏水.png", PNG, content_type="image/png")
    response = Client().post("/repair/", {**valid_post(form_page.service), names["照片"]: upload})
    assert response.status_code == 200, response.content.decode()[:2000]
    attachment = Attachment.objects.get(case=Case.objects.get())

    # In the bucket, under the attachment's name; nothing on this machine's disk.
    assert attachment.file.name in _stored_keys(s3_media)
    body = s3_media.get_object(Bucket=BUCKET, Key=attachment.file.name)["Body"].read()
    assert body == PNG
    assert not (tmp_path / "local-media").exists() or not any(
        (tmp_path / "local-media").rglob("*.*")
    )

    # Private: the object's plain URL, without a signature, is refused by the server.
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_server}/{BUCKET}/{attachment.file.name}", timeout=5)
    assert refused.value.code == 403

    # The permission-checked view streams it from the bucket to who may see the case...
    url = reverse("anju_case_attachment", args=[attachment.case_id, attachment.pk])
    staff = Client()
    staff.force_login(world.users["committee"])
    response = staff.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert "X-Accel-Redirect" not in response  # the web server has no such file
    assert "no-store" in response["Cache-Control"]
    # ... and to nobody else.
    other = Client()
    other.force_login(world.users["service_staff"])
    assert other.get(url).status_code in (403, 404)
    assert Client().get(url).status_code in (302, 403, 404)


def test_a_file_missing_from_the_bucket_is_a_404(s3_media, world, form_page):  # noqa: F811
    names = fields_of(form_page.service)
    upload = SimpleUploadedFile("门.png", PNG, content_type="image/png")
    Client().post("/repair/", {**valid_post(form_page.service), names["照片"]: upload})
    attachment = Attachment.objects.get()
    s3_media.delete_object(Bucket=BUCKET, Key=attachment.file.name)
    staff = Client()
    staff.force_login(world.users["committee"])
    url = reverse("anju_case_attachment", args=[attachment.case_id, attachment.pk])
    assert staff.get(url).status_code == 404


def test_health_checks_the_bucket(s3_media):
    import json

    response = Client().get("/health/?format=json")
    body = json.loads(response.content)
    assert response.status_code == 200, body
    assert any("Storage" in name for name in body)
    # The health check cleaned up after itself.
    assert _stored_keys(s3_media) == []
