from django.http import Http404

from . import activation
from .mount import PLUGIN_ATTR


class PluginMiddleware:
    """A view contributed by a plugin answers 404 where that plugin is disabled.

    Views are tagged when they are mounted (anju.plugins.mount); this is the one place
    the tag is read, for portal pages, service forms, the API and admin views alike.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        label = getattr(view_func, PLUGIN_ATTR, None)
        if label is not None and not activation.is_active(request, label):
            raise Http404
        return None
