"""What residents and staff may attach to a case: size and kind, checked before
anything is saved, with a message that says what is wrong.

Settings: ``SERVICES_MAX_UPLOAD_BYTES`` (default 10 MB) and
``SERVICES_UPLOAD_EXTENSIONS`` (default: images, PDF and office documents). The file's
first bytes must match its extension, so a renamed program is refused too.
"""

import os
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

DEFAULT_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".pdf", ".doc", ".docx", ".xls", ".xlsx")

# Leading bytes of each kind (the old Office formats share the OLE2 header; the new ones
# are ZIP files).
MAGIC = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".pdf": (b"%PDF-",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}


def max_bytes() -> int:
    return int(getattr(settings, "SERVICES_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def allowed_extensions() -> tuple[str, ...]:
    return tuple(getattr(settings, "SERVICES_UPLOAD_EXTENSIONS", DEFAULT_EXTENSIONS))


def validate_upload(upload) -> None:
    name = getattr(upload, "name", "") or ""
    ext = os.path.splitext(name)[1].lower()
    allowed = allowed_extensions()
    if ext not in allowed:
        raise ValidationError(
            _("“%(name)s” is not a kind of file we accept. Please send one of: %(kinds)s.")
            % {"name": name, "kinds": " ".join(e.lstrip(".") for e in allowed)},
            code="file_type",
        )
    if upload.size > max_bytes():
        raise ValidationError(
            _("“%(name)s” is %(size)s; files may be at most %(max)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "max": filesizeformat(max_bytes()),
            },
            code="file_size",
        )
    signatures = MAGIC.get(ext)
    if signatures:
        position = upload.tell() if hasattr(upload, "tell") else 0
        upload.seek(0)
        head = upload.read(16)
        upload.seek(position)
        if not any(head.startswith(s) for s in signatures):
            raise ValidationError(
                _("“%(name)s” is not really a %(kind)s file.")
                % {"name": name, "kind": ext.lstrip(".").upper()},
                code="file_content",
            )


def upload_path(prefix: str, filename: str) -> str:
    """Where an uploaded file is stored: ``<prefix>/<year>/<month>/<random><.ext>``. The
    name the uploader gave is never part of the path (it is kept in the database if
    needed), so no one can guess another file's address or write outside ``prefix``.
    For ``upload_to``: ``def path(instance, filename): return upload_path("x", filename)``
    (a module-level function, so migrations can name it)."""
    ext = os.path.splitext(filename)[1].lower()[:10]
    return f"{prefix}/{timezone.now():%Y/%m}/{secrets.token_hex(12)}{ext}"
