"""Input normalisation, in one place, for every form, admin page and API endpoint.

Residents type on phones with Chinese input methods: digits and letters come out
full-width (１２３, Ｘ), numbers are spaced as people read them (138 0013 8000), and
pasted text carries invisible zero-width characters. Every text input passes through
here before it is validated, so a full-width ID number is checked as an ID number
(not refused as "birth date invalid"), a full-width reference number is found, and a
name made only of zero-width characters is empty.

- ``strip_invisible`` removes zero-width characters (U+200B–U+200D, U+2060, U+FEFF)
  from any text; ``InvisibleCharactersMiddleware`` and the API parsers apply it to
  every submitted form field and JSON string.
- ``normalise_number`` is for identifiers (ID numbers, phones, reference numbers):
  full-width forms become ASCII, every kind of space goes, letters are upper-cased.
"""

import re

from django import forms
from rest_framework import serializers

# ZERO WIDTH SPACE, ZERO WIDTH NON-JOINER, ZERO WIDTH JOINER, WORD JOINER, BOM.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_INVISIBLE_TABLE = {ord(ch): None for ch in INVISIBLE}
# Full-width ASCII (U+FF01–U+FF5E) to ASCII; the ideographic space to a space.
_FULLWIDTH_TABLE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_FULLWIDTH_TABLE[0x3000] = 0x20
_SPACES = re.compile(r"\s+")


def strip_invisible(value):
    """``value`` without zero-width characters; non-strings are returned as they are."""
    if isinstance(value, str):
        return value.translate(_INVISIBLE_TABLE)
    return value


def to_halfwidth(value: str) -> str:
    """Full-width digits, letters and punctuation (０-９, Ａ-Ｚ, －) as ASCII."""
    return (value or "").translate(_FULLWIDTH_TABLE)


def normalise_number(value) -> str:
    """An identifier as typed, made comparable: "１１０１０５ １９９０…ｘ" → "110105199…X".

    Invisible characters and every space (ASCII, ideographic, non-breaking) are
    removed, full-width characters become ASCII and letters are upper-cased."""
    text = to_halfwidth(strip_invisible(value or ""))
    return _SPACES.sub("", text).upper()


def strip_invisible_data(data):
    """Every string inside parsed JSON (dicts, lists) without zero-width characters."""
    if isinstance(data, str):
        return strip_invisible(data)
    if isinstance(data, dict):
        return {key: strip_invisible_data(item) for key, item in data.items()}
    if isinstance(data, list):
        return [strip_invisible_data(item) for item in data]
    return data


def strip_invisible_querydict(querydict):
    """A mutable copy of a QueryDict (request.POST) with its values cleaned, or the same
    object if nothing in it needs cleaning."""
    if not any(
        ch in value for _key, values in querydict.lists() for value in values for ch in INVISIBLE
    ):
        return querydict
    cleaned = querydict.copy()
    for key, values in querydict.lists():
        cleaned.setlist(key, [strip_invisible(value) for value in values])
    cleaned._mutable = False
    return cleaned


class InvisibleCharactersMiddleware:
    """Strips zero-width characters from every form field posted to the portal and the
    admin. Lazy: the body is parsed when the view first reads ``request.POST``, as
    without this middleware, so upload limits and errors behave as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            load = request._load_post_and_files

            def load_and_clean():
                load()
                if hasattr(request, "_post"):
                    request._post = strip_invisible_querydict(request._post)

            request._load_post_and_files = load_and_clean
        return self.get_response(request)


class NumberFormField(forms.CharField):
    """A form field for an identifier (ID number, phone): normalised before its length
    and validators are checked, so "１３８ ００１３ ８０００" is an 11-digit mobile."""

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_number(value) if value else value


class NumberSerializerField(serializers.CharField):
    """The API's counterpart of ``NumberFormField``."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return normalise_number(value) if value else value
