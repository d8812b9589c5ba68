"""Model fields the core shares.

``TypedEncryptedJSONField`` keeps a JSON document encrypted at rest *with its types*.
django-fernet-encrypted-fields' ``EncryptedJSONField`` encrypts each leaf as
``str(value)``, so a number comes back as the text "12", a boolean as "True" and a
missing value as "None". Here the whole document's JSON text is one Fernet token (the
column holds a JSON string), so what is read is exactly what was written — and the keys
(a form's field names) are no longer readable in the database either.

Rows written by the per-leaf field before are still read: a stored JSON object (rather
than a string) is decrypted leaf by leaf as before, and reads as text; the services
engine turns those texts back into numbers and booleans by the form's field types
(``anju.services.fieldtypes.typed_value``). Saving such a row again writes the new form.
Keys rotate as for the other encrypted fields (``SECRET_KEY_FALLBACKS``).
"""

from __future__ import annotations

import json

from cryptography.fernet import InvalidToken
from django.core.serializers.json import DjangoJSONEncoder
from encrypted_fields.fields import EncryptedJSONField


class TypedEncryptedJSONField(EncryptedJSONField):
    def get_prep_value(self, value):
        text = json.dumps(value, cls=self.encoder or DjangoJSONEncoder, ensure_ascii=False)
        return json.dumps(self.f.encrypt(text.encode("utf-8")).decode("ascii"))

    def to_python(self, value):
        if value is None or not isinstance(value, str) or hasattr(self, "_already_decrypted"):
            return value
        try:
            stored = json.loads(value)
        except ValueError:
            return value
        if isinstance(stored, str):
            try:
                return json.loads(self.f.decrypt(stored.encode("ascii")).decode("utf-8"))
            except (InvalidToken, UnicodeError, ValueError):
                return stored
        try:
            return self._decrypt_values(stored)  # an older row: one token per leaf, as text
        except (InvalidToken, UnicodeError):
            return stored
