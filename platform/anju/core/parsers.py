"""A JSON parser that refuses bodies too deep to parse with a 400.

Python's json module recurses once per nesting level: a 30 KB body of nested brackets,
posted anonymously, raised RecursionError — a 500 — on the tracking and submit
endpoints. No request of ours nests deeper than a few levels, so anything deeper than
``API_JSON_MAX_DEPTH`` (default 32) is refused before it is parsed; the body's size is
bounded by Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) as for any request.
"""

import io

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles, FormParser, JSONParser, MultiPartParser

from .normalise import strip_invisible_data, strip_invisible_querydict

MAX_DEPTH = 32


def nesting_depth(text: str) -> int:
    """The deepest nesting of [ and { outside strings."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode((parser_context or {}).get("encoding") or "utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError(_("The body is not valid UTF-8.")) from exc
        limit = int(getattr(settings, "API_JSON_MAX_DEPTH", MAX_DEPTH))
        if nesting_depth(text) > limit:
            raise ParseError(
                _("The JSON body nests deeper than %(limit)s levels.") % {"limit": limit}
            )
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError as exc:  # belt and braces
            raise ParseError(_("The JSON body nests too deeply.")) from exc
        # Zero-width characters are stripped from every string (anju.core.normalise).
        return strip_invisible_data(data)


class CleanFormParser(FormParser):
    """Form-encoded API bodies without zero-width characters."""

    def parse(self, stream, media_type=None, parser_context=None):
        return strip_invisible_querydict(super().parse(stream, media_type, parser_context))


class CleanMultiPartParser(MultiPartParser):
    """Multipart API bodies without zero-width characters in their fields."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        return DataAndFiles(strip_invisible_querydict(parsed.data), parsed.files)
