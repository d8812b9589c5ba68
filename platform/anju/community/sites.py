"""Which community a request is about."""

from django.core.cache import cache

from .models import Community

_SITE_KEY = "anju:community-of-site:{site_id}"
_NONE = 0


def current_community(request) -> Community | None:
    """The community whose Wagtail site serves ``request``, else the installation's
    first community (a single-community install needs no set-up). Cached per site, and
    per request."""
    if request is None:
        return None
    if hasattr(request, "_anju_community"):
        return request._anju_community
    from wagtail.models import Site

    site = Site.find_for_request(request)
    site_id = site.pk if site else _NONE
    key = _SITE_KEY.format(site_id=site_id)
    community_id = cache.get(key)
    community = None
    if community_id is None:
        community = (
            Community.objects.filter(site_id=site_id).first() if site else None
        ) or Community.objects.order_by("pk").first()
        cache.set(key, community.pk if community else _NONE, timeout=300)
    elif community_id != _NONE:
        community = Community(pk=community_id)  # only its id is needed downstream
    request._anju_community = community
    return community
