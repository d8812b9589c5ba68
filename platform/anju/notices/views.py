"""What the portal's notice pages show: the list (filtered by category, searched,
paginated) and the home page's pinned and latest notices.

Every list is built here, in the view, with a fixed number of queries: the templates
only read what they are given.
"""

from django.core.paginator import Paginator

from . import categories
from .queries import LIST_DEFERRED, listed_notices
from .search import MAX_QUERY_LENGTH, clean_query, search_notices

#: Notices per page of the list.
PER_PAGE = 20
#: How many pinned and latest notices the home page shows.
HOME_PINNED = 5
HOME_LATEST = 8


#: What notice_list_context gives the template (the list page's context, lazily).
LIST_CONTEXT = (
    "notices",
    "page_obj",
    "paginator",
    "page_missing",
    "requested_page",
    "categories",
    "category",
    "category_label",
    "unknown_category",
    "query",
    "query_shortened",
)


def notice_list_context(index, request) -> dict:
    """The context of a NoticeIndexPage: ``?category=``, ``?q=`` and ``?page=`` read
    forgivingly. An unknown category or a page number that does not exist is said
    plainly on the page, never answered with an error."""
    category = request.GET.get("category", "").strip()
    known = dict(categories.categories())
    unknown_category = bool(category) and category not in known
    raw_query = request.GET.get("q", "")
    query = clean_query(raw_query)
    query_shortened = len(raw_query.strip()) > MAX_QUERY_LENGTH

    notices = listed_notices(root=index).defer(*LIST_DEFERRED)
    if unknown_category:
        notices = notices.none()
    elif category:
        notices = notices.filter(category=category)
    if query:
        notices = search_notices(query, notices)

    paginator = Paginator(notices, PER_PAGE)
    requested = request.GET.get("page", "")
    page_obj = paginator.get_page(requested)
    page_missing = bool(requested) and requested != str(page_obj.number)

    return {
        "notices": page_obj.object_list,
        "page_obj": page_obj,
        "paginator": paginator,
        "page_missing": page_missing,
        "requested_page": requested[:20],
        "categories": [{"code": code, "label": label} for code, label in known.items()],
        "category": category if not unknown_category else "",
        "category_label": known.get(category),
        "unknown_category": category[:50] if unknown_category else "",
        "query": query,
        "query_shortened": query_shortened,
    }


def home_notices(home, request) -> dict:
    """The home page's pinned and latest notices and the link to all of them.

    Four queries whatever the number of notices: view restrictions, the notice list's
    page, the pinned notices and the latest ones.
    """
    from .models import NoticeIndexPage

    index = NoticeIndexPage.objects.child_of(home).live().first()
    notices = listed_notices(root=home).defer(*LIST_DEFERRED)
    pinned = list(notices.filter(pinned=True)[:HOME_PINNED])
    latest = list(notices.filter(pinned=False)[:HOME_LATEST])
    return {
        "pinned_notices": pinned,
        "latest_notices": latest,
        "notice_index": index,
        "notice_feed_url": index.feed_url(request) if index else "",
    }
