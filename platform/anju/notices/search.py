"""Chinese search over notices.

Wagtail's database search backend (SQLite FTS5, PostgreSQL ``tsvector`` with the
"simple" configuration) splits text on spaces and punctuation only: a Chinese sentence
is one long "word", so 天然气 would never match 为居民通上了天然气. jieba segments it:

* on save, a notice's title, summary and body (HTML stripped) are segmented with
  ``jieba.cut_for_search`` (which yields the words *and* their shorter parts: 天然气 gives
  天然 and 天然气) and kept, space-joined, in ``NoticePage.search_text``, which is indexed;
* a query is segmented the same way and every word must match (``operator="and"``);
  jieba may cut a phrase differently inside a sentence than alone (3月31日 in a query,
  3月31日前 in the text), so when no notice has all the words, those that have any of
  the query's longer words (two characters or more) are found instead, best first.

Both sides are segmented by the same code, so SQLite and PostgreSQL answer alike.
"""

import html
import logging
import re

from django.utils.html import strip_tags

#: Longer queries are cut to this many characters (a search box, not a document).
MAX_QUERY_LENGTH = 100
#: At most this many words of a query are searched for.
MAX_QUERY_TERMS = 12

_WORD = re.compile(r"\w+")


def _jieba():
    import jieba  # imported on first use: the dictionary loads once, lazily

    if not getattr(jieba, "_anju_quiet", False):
        jieba.setLogLevel(logging.WARNING)  # jieba sets its own logger to DEBUG on import
        jieba._anju_quiet = True
    return jieba


def segment(text: str) -> list[str]:
    """The words of ``text`` for the index or a query: jieba's search-engine mode,
    letters and digits only (punctuation and spaces dropped)."""
    if not text:
        return []
    words = []
    for token in _jieba().cut_for_search(text):
        # A token such as "COVID-19" or "3.5" is split into its letters and digits, the
        # same pieces the FTS5 and PostgreSQL tokenizers make of it.
        words.extend(_WORD.findall(token))
    return words


def html_to_text(value: str) -> str:
    """Plain text of rich-text HTML: tags stripped, entities decoded, blocks apart."""
    if not value:
        return ""
    # Keep block boundaries as spaces so words of adjacent paragraphs never fuse.
    spaced = re.sub(r"<(/?(p|div|li|h\d|br|tr|td|th)\b[^>]*)>", r" <\1> ", value)
    return html.unescape(strip_tags(spaced))


def search_text_for(*parts: str) -> str:
    """What NoticePage.search_text holds: the segmented words of ``parts``."""
    return " ".join(segment(" ".join(p for p in parts if p)))


def clean_query(query: str | None) -> str:
    """The query as searched: surrounding space removed, at most MAX_QUERY_LENGTH."""
    return (query or "").strip()[:MAX_QUERY_LENGTH]


def query_terms(query: str | None) -> list[str]:
    """The distinct words of a query, in order, at most MAX_QUERY_TERMS of them."""
    terms: list[str] = []
    for word in segment(clean_query(query)):
        word = word.lower()
        if word not in terms:
            terms.append(word)
    return terms[:MAX_QUERY_TERMS]


def search_notices(query: str | None, queryset):
    """Notices of ``queryset`` matching ``query``, most relevant first.

    ``queryset`` may be filtered on any field NoticePage declares as a FilterField
    (live, category, pinned, expire_at, path, ...). A query with no words in it (empty,
    or only punctuation) matches nothing.
    """
    terms = query_terms(query)
    if not terms:
        return queryset.none()
    results = queryset.search(" ".join(terms), operator="and", order_by_relevance=True)
    if len(terms) == 1:
        return results
    # The count is cached on the results: a paginator asking again costs nothing.
    if results.count():
        return results
    words = [term for term in terms if len(term) > 1]
    if not words:
        return results
    return queryset.search(" ".join(words), operator="or", order_by_relevance=True)
