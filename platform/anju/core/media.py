"""Sending an uploaded file after the view has checked the user may have it.

Nothing under MEDIA_ROOT is served by URL: case attachments (consent photos among them)
and agreement documents hold residents' personal data, so each is answered by a view
that checks permissions first, in development as in production. With
``MEDIA_ACCEL_REDIRECT_PREFIX`` set (e.g. "/protected-media/", see deploy/nginx.conf)
the view answers an empty response with ``X-Accel-Redirect`` and the web server sends
the file from an ``internal`` location; otherwise Django streams it (FileResponse) — from
the local disk, or from the S3 bucket when uploads live there (``MEDIA_S3_BUCKET``).
"""

import mimetypes
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header


def protected_file_response(fieldfile, filename: str | None = None, *, as_attachment=True):
    """The file of a FileField, as a download; 404 if it is missing."""
    if not fieldfile:
        raise Http404
    filename = filename or fieldfile.name.rsplit("/", 1)[-1]
    prefix = getattr(settings, "MEDIA_ACCEL_REDIRECT_PREFIX", "")
    if prefix and isinstance(fieldfile.storage, FileSystemStorage):
        if not fieldfile.storage.exists(fieldfile.name):
            raise Http404
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(fieldfile.name)
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    else:
        try:
            handle = fieldfile.open("rb")
        except (FileNotFoundError, OSError, ValueError) as exc:
            raise Http404 from exc
        response = FileResponse(handle, as_attachment=as_attachment, filename=filename)
    # It came from outside: never sniffed into HTML, never kept by a shared cache.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
