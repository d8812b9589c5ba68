"""The REST API under /api/ (Django REST framework), its OpenAPI schema and docs, and
the Wagtail API v2 for headless clients of pages under /api/v2/."""

# The public API plugins may use (docs/plugins.md, "Reference"); everything else in this
# package is internal. Loaded on first use: see anju.core.public.
from anju.core.public import facade as _facade  # noqa: E402

PUBLIC = {
    "name_enum": "schema",
}
__getattr__, __dir__, __all__ = _facade(__name__, PUBLIC)
