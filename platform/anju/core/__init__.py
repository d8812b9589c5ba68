"""Cross-cutting pieces of the core: middleware, the core's Celery tasks, checks."""

# The public API plugins may use (docs/plugins.md, "Reference"); everything else in this
# package is internal. Loaded on first use: see anju.core.public.
from anju.core.public import facade as _facade  # noqa: E402

PUBLIC = {
    "record": "audit",
    "VIEW_ID_NUMBER": "audit",
    "AuditEntry": "models",
    # Every export of user text passes its cells through these (formula injection).
    "safe_cell": "spreadsheets",
    "safe_row": "spreadsheets",
    # Uploaded files go out only through a view that checked permissions first.
    "protected_file_response": "media",
    # A portal form view that shows its form again when the body was too big.
    "keeps_answers_when_too_big": "middleware",
    "body_too_big": "middleware",
    # A page's context, lazily, for templates that keep fragments until the next publish
    # ({% load publishcache %}).
    "lazy_context": "localcache",
}
__getattr__, __dir__, __all__ = _facade(__name__, PUBLIC)
