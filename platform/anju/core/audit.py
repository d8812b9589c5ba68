"""Recording access to personal data. Callers say what was seen, where, and by whom."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEntry

VIEW_ID_NUMBER = "view_id_number"


def _ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    request, action: str, objects: Iterable[models.Model], where: str, user=None
) -> list[AuditEntry]:
    """Write one entry per object in one INSERT."""
    objects = list(objects)
    if not objects:
        return []
    user = user if user is not None else getattr(request, "user", None)
    content_type = ContentType.objects.get_for_model(objects[0])
    entries = [
        AuditEntry(
            user=user if user is not None and user.is_authenticated else None,
            action=action,
            object_type=content_type,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            where=where,
            ip_address=_ip(request),
        )
        for obj in objects
    ]
    return AuditEntry.objects.bulk_create(entries)
