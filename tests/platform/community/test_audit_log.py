import pytest
from django.core.management import call_command

from anju.community.models import Resident, id_number_digest
from anju.core import audit
from anju.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_record_writes_one_entry_per_object(world, rf):
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    request.user = world.users["committee"]
    audit.record(request, audit.VIEW_ID_NUMBER, [world.resident1, world.resident2], "export")
    entries = AuditEntry.objects.order_by("object_id")
    assert [e.object_id for e in entries] == sorted(
        [str(world.resident1.pk), str(world.resident2.pk)]
    )
    assert {e.user for e in entries} == {world.users["committee"]}
    assert {e.ip_address for e in entries} == {"10.1.2.3"}
    assert {e.where for e in entries} == {"export"}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("superuser", 200),
        ("committee", 200),
        ("grid_worker", 403),  # whole-community data: refused to grid-restricted roles
        ("resident_rep", 403),
        ("service_staff", 302),  # Wagtail: "no permission", back to the dashboard
        ("resident", 302),  # no admin access at all: sent to the login page
        (None, 302),
    ],
)
def test_audit_log_in_the_admin_per_role(world, client, role, status):
    AuditEntry.objects.create(
        user=world.users["committee"],
        action=audit.VIEW_ID_NUMBER,
        object_type_id=1,
        object_id=str(world.resident1.pk),
        object_repr="王小明",
        where="admin",
    )
    if role:
        client.force_login(world.users[role])
    response = client.get("/admin/audit/")
    assert response.status_code == status
    if status == 200:
        assert "王小明" in response.content.decode()


def test_rehash_after_changing_the_key(world, settings):
    settings.ID_NUMBER_HASH_KEY = "a-new-key-for-this-installation"
    call_command("rehash_id_numbers", stdout=open("/dev/null", "w"))
    resident = world.resident1
    assert Resident.objects.get(id_number_digest=id_number_digest(resident.id_number)) == resident
