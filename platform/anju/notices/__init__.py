"""Notices (通知公告): policy, public-affairs, job, safety and activity notices as Wagtail
pages, their audience, and their delivery to every household (入户传达)."""

# The public API plugins may use (docs/plugins.md, "Reference"); everything else in this
# package is internal. Loaded on first use: see anju.core.public.
from anju.core.public import facade as _facade  # noqa: E402

PUBLIC = {
    "search_text_for": "search",
    "clean_query": "search",
    "query_terms": "search",
    "ensure_notice_workflow": "workflow",
}
__getattr__, __dir__, __all__ = _facade(__name__, PUBLIC)
