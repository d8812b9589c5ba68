"""``{% publishcache "name" var... %}...{% endpublishcache %}``: a fragment that changes
only when something is published, rendered once per process and generation
(anju.core.localcache) and then reused, with no round trip to Redis.

A last value that is empty means "do not keep this one" (a search's results). The key is
the name, the values given, the language and the request's Wagtail site; the
fragment must depend on nothing else (not on the visitor: never put a CSRF token, a
name or anything of one resident's inside). The context values it reads should be lazy
(``django.utils.functional.SimpleLazyObject``), so a reused fragment costs no query.
"""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from anju.core import localcache

register = template.Library()


class PublishCacheNode(template.Node):
    def __init__(self, nodelist, vary):
        self.nodelist = nodelist
        self.vary = vary

    def render(self, context):
        vary = [str(value.resolve(context)) for value in self.vary]
        if len(vary) > 1 and vary[-1] == "":
            # An empty last value: this one is not to be kept (a search, say).
            return self.nodelist.render(context)
        request = context.get("request")
        site = getattr(getattr(request, "_wagtail_site", None), "pk", None)
        key = (
            "fragment",
            get_language(),
            site,
            *vary,
        )
        return localcache.remember(key, lambda: mark_safe(self.nodelist.render(context)))


@register.tag
def publishcache(parser, token):
    bits = token.split_contents()[1:]
    if not bits:
        raise template.TemplateSyntaxError("publishcache needs a name")
    nodelist = parser.parse(("endpublishcache",))
    parser.delete_first_token()
    return PublishCacheNode(nodelist, [parser.compile_filter(bit) for bit in bits])
