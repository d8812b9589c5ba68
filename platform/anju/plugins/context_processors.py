from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from . import activation
from .registry import contributions


def _links(request, point: str):
    active = activation.active_for_request(request)
    items = []
    for contribution in sorted(contributions(point, active), key=lambda c: c.item.order):
        try:
            url = reverse(contribution.item.url_name)
        except NoReverseMatch:
            continue
        items.append({"item": contribution.item, "url": url, "plugin": contribution.plugin})
    return items


def portal_links(request):
    """The portal navigation of the plugins active for this request's community."""
    return _links(request, "portal_links")


def service_cards(request):
    """The service directory cards of the plugins active here."""
    return _links(request, "service_cards")


def plugins(request):
    # Lazy: a page that shows no navigation pays nothing.
    return {"plugin_portal_links": SimpleLazyObject(lambda: portal_links(request))}
