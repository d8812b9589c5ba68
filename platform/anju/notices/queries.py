"""The notices the public may read, as querysets: one place for the portal's list, the
home page, the feed, the search and the API, so they all agree.

Listed: live (published, not expired by Wagtail's scheduler), not behind a view
restriction, and not past their expiry time (between that time and the scheduler's next
run a notice has already left the lists). Pinned first, then newest.
"""

from django.db.models import Q
from django.utils import timezone

from anju.core import localcache

from .models import NoticePage

#: The order of every list: pinned first, then the newest.
LIST_ORDER = ("-pinned", "-first_published_at", "-pk")
#: Columns a list never shows (the whole body, the search words).
LIST_DEFERRED = ("body", "search_text")


def unexpired_q(now=None) -> Q:
    now = now or timezone.now()
    return Q(expire_at__isnull=True) | Q(expire_at__gt=now)


def public_q() -> Q:
    """Wagtail's ``PageQuerySet.public()`` condition, without its query: the pages under
    a view restriction are remembered in the process until the next publish (saving or
    deleting a restriction, moving a page change the generation: anju.portal.apps)."""
    from wagtail.models import PageViewRestriction

    private = localcache.remember(
        "private-page-paths",
        lambda: list(PageViewRestriction.objects.values_list("page__path", flat=True)),
    )
    q = Q()
    for path in private:
        q |= Q(path__startswith=path)
    return ~q if private else Q()


def listed_notices(root=None, *, now=None):
    """Notices to list, under ``root`` (a home page or a notice list) if given.

    Costs one query per evaluation (the view restrictions are remembered: public_q).
    """
    notices = NoticePage.objects.live().filter(public_q(), unexpired_q(now))
    if root is not None:
        notices = notices.descendant_of(root)
    return notices.order_by(*LIST_ORDER)


def readable_notices():
    """Notices whose page a visitor may open: the listed ones, plus expired ones (which
    say they have expired). Never drafts, never notices an editor unpublished."""
    return NoticePage.objects.filter(
        public_q(), Q(live=True) | Q(expired=True, first_published_at__isnull=False)
    )


def notices_for_residents(residents, *, now=None) -> list:
    """The listed notices that concern any of ``residents`` (Resident objects with
    household__building loaded and groups prefetched): everyone's, and the targeted ones
    whose grids, buildings, groups or age band include one of them. A constant number of
    queries, however many notices or residents."""
    from .models import Audience

    notices = list(
        listed_notices(now=now)
        .defer(*LIST_DEFERRED)
        .prefetch_related("audience_grids", "audience_buildings", "audience_groups")
    )
    return [n for n in notices if n.audience == Audience.EVERYONE or n.concerns(residents)]
