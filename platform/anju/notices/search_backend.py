"""The search backend every search goes through (settings.WAGTAILSEARCH_BACKENDS): Wagtail's
database backend for the database in use, with Chinese queries segmented first.

The index holds segmented words (``search_text`` of notices and job postings, see
anju.notices.search), but Wagtail's admin sends a query as typed: 稳岗补贴 is one
"word" to the database and matches no indexed word, although 稳岗 and 补贴 each do. Here
a query holding Chinese characters is cut by jieba exactly as the portal's search cuts
it (``anju.notices.search.segment``) before the backend compiles it, so the admin's page
search, the explorer's search and the choosers find what the portal finds. A query with
no Chinese is left as it is.
"""

from __future__ import annotations

import re

from .search import MAX_QUERY_TERMS, segment

_HAN = re.compile(r"[\u3400-\u9fff]")


def segmented(query):
    """``query`` as the words it holds, space-joined, when it contains Chinese. The
    admin parses its search box first (``PlainText``, with the operator it chose):
    that is segmented inside, keeping the operator."""
    from wagtail.search.query import PlainText

    if isinstance(query, PlainText):
        return PlainText(segmented(query.query_string), query.operator, query.boost)
    if not isinstance(query, str) or not _HAN.search(query):
        return query
    words: list[str] = []
    for word in segment(query):
        word = word.lower()
        if word not in words:
            words.append(word)
    return " ".join(words[:MAX_QUERY_TERMS])


def SearchBackend(params):  # noqa: N802 - Wagtail looks for this name in the module
    from wagtail.search.backends.database import SearchBackend as database_backend

    backend = database_backend(params)
    base = type(backend)

    class SegmentingBackend(base):
        def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
            return super()._search(
                query_compiler_class, segmented(query), model_or_queryset, **kwargs
            )

    SegmentingBackend.__name__ = f"Segmenting{base.__name__}"
    backend.__class__ = SegmentingBackend
    return backend
