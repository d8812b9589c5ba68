from django.http import Http404

from . import activation
from .registry import url_namespaces


class PluginMiddleware:
    """A URL contributed by a plugin answers 404 where that plugin is disabled.

    Every plugin URL lives in one of the plugin's URL namespaces (``registry.
    url_namespaces``): its portal pages and service forms, its API, its admin viewsets.
    This is the one place activation is enforced for URLs; the answer comes from
    ``activation.active_for_request``, the same set menus, cards, panels, forms and
    signals use.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._namespaces: dict[str, str] | None = None

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is None or not match.namespaces:
            return None
        if self._namespaces is None:  # plugins are all loaded by the first request
            self._namespaces = url_namespaces()
        for namespace in match.namespaces:
            label = self._namespaces.get(namespace)
            if label is not None and label not in activation.active_for_request(request):
                raise Http404
        return None
