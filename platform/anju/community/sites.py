"""Which community a request is about."""

from django.core.cache import cache

from anju.core import localcache

from .models import Community

_SITE_KEY = "anju:community-of-site:{site_id}"
_NONE = 0


def current_community(request) -> Community | None:
    """The community whose Wagtail site serves ``request`` (``Community.site``). A site
    no community claims belongs to none — never to whichever community came first —
    except in an installation of exactly one community, which needs no set-up. Cached
    per site (forgotten when a community is saved or deleted), and per request."""
    if request is None:
        return None
    if hasattr(request, "_anju_community"):
        return request._anju_community
    from wagtail.models import Site

    site = Site.find_for_request(request)
    community_id = community_id_of_site(site.pk if site else None)
    community = Community(pk=community_id) if community_id is not None else None
    request._anju_community = community
    return community


def community_id_of_site(site_id: int | None) -> int | None:
    """The pk of the community whose site is ``site_id`` (None: no site), by the same
    rule as :func:`current_community`; None when no community claims it."""
    site_id = site_id or _NONE
    # Remembered in the process until a community or site is saved (anju.core.localcache).
    community_id = localcache.remember(
        ("community-of-site", site_id), lambda: _community_id(site_id)
    )
    return community_id if community_id != _NONE else None


def community_of_page(page) -> int | None:
    """The pk of the community whose site ``page`` is published on (by the same rule as
    :func:`current_community`); None for a page on a site that no community claims (a
    county's own site) or on no site. What a page tells residents is for that
    community's residents only."""
    parts = page.get_url_parts()
    return community_id_of_site(parts[0] if parts else None)


def _community_id(site_id: int) -> int:
    key = _SITE_KEY.format(site_id=site_id)
    community_id = cache.get(key)
    if community_id is None:
        community = Community.objects.filter(site_id=site_id).first() if site_id else None
        if community is None:
            only = list(Community.objects.order_by("pk")[:2])
            community = only[0] if len(only) == 1 else None
        community_id = community.pk if community else _NONE
        cache.set(key, community_id, timeout=300)
    return community_id


def forget_sites(**kwargs) -> None:
    """A community was saved or deleted: which site is whose may have changed."""
    from wagtail.models import Site

    cache.delete_many(
        [_SITE_KEY.format(site_id=pk) for pk in Site.objects.values_list("pk", flat=True)]
        + [_SITE_KEY.format(site_id=_NONE)]
    )
    localcache.bump()
