"""The portal's anonymous page cache, and what every request remembers.

Anonymous visitors read the same pages; each is rendered once and then served from the
cache until something they could see changes. Invalidation is by generation
(``anju.core.localcache``): publishing, unpublishing, moving or deleting a page, turning a
plugin on or off, saving a site or a community bumps one counter in the shared cache, and
every key made under the old counter is simply never asked for again (it expires on its
own). A request knows the counter from the process's subscription to it, without a
round trip (anju.core.localcache.Watcher); a page is looked up first in the process's own
memory, then in the shared cache (Redis in production, shared by every process), so a
hit usually costs no Redis round trip at all.

A view keeps its response out with ``Cache-Control: private`` (``patch_cache_control(
response, private=True)``, or ``never_cache``), as any shared cache would. Responses to a
visitor with a session (a signed-in resident or staff member) are always marked
``private``, so no cache between us and the browser keeps one person's page for
another; cached anonymous pages say ``Vary: Cookie`` for the same reason.

Every request also starts with what it would otherwise look up many times: the Wagtail
site for its host and the sites' root paths (Wagtail reads them once per ``Page.get_url``
without a request, from Redis), remembered per process under the same generation.

wagtail-cache would do this but does not support Wagtail 8 (it requires wagtail<8).
"""

import copy as stdlib_copy

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_cache_control, patch_response_headers, patch_vary_headers

from anju.core import localcache

SKIP_PREFIXES = ("/admin/", "/api/", "/documents/", "/static/", "/media/", "/i18n/")
_NO_SITE = object()


def generation() -> int | None:
    return localcache.generation()


def invalidate(*args, **kwargs) -> None:
    """Forget every cached portal page (connected to the signals that change them)."""
    localcache.bump()


#: The elder-mode cookie (anju.residents.eldermode): pages look different with it, so
#: each page is cached once per mode.
ELDER_COOKIE = "anju_elder"


def _key(request, current) -> str:
    """Everything a cached page depends on. The middleware runs before the locale
    middleware, so the key holds what the language is chosen from rather than the
    language: the path (``/en/...``) and the language cookie, as sent (the
    Accept-Language header is ignored for pages: IgnoreAcceptLanguageMiddleware)."""
    mode = "elder" if request.COOKIES.get(ELDER_COOKIE) == "1" else "std"
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return f"anju:portal:{current}:{language}:{mode}:{request.get_host()}:{request.get_full_path()}"


def _cacheable_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.path_info.startswith(SKIP_PREFIXES)
        # No session cookie: an anonymous visitor, known without a database query. A CSRF
        # cookie alone (left by a form) changes nothing: a page that shows a CSRF token
        # sets the cookie again and is never stored.
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _cacheable_response(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # A response for one visitor (a form with a CSRF token, a search, a tracked
        # case) says so with Cache-Control: private (django.utils.cache.patch_cache_control).
        and "private" not in response.get("Cache-Control", "")
        and "no-cache" not in response.get("Cache-Control", "")
        and response.get("Content-Type", "").startswith("text/html")
    )


def remember_site(request) -> None:
    """Wagtail's site for this request's host, and the sites' root paths, from the
    process's memory (one query each per generation instead of per request)."""
    from wagtail.models import Site

    host, port = request._get_raw_host(), request.get_port()
    site = localcache.remember(
        ("site", host, port), lambda: Site._find_for_request(request) or _NO_SITE
    )
    request._wagtail_site = None if site is _NO_SITE else site
    request._wagtail_cached_site_root_paths = Site.get_site_root_paths()


def remember_site_root_paths() -> None:
    """Put the process's memory in front of ``Site.get_site_root_paths`` (Wagtail keeps
    them in the shared cache, read on every ``Page.get_url`` made without a request).
    Wagtail forgets them when a site is saved or a page moved, as the generation does."""
    from wagtail.models import Site

    if getattr(Site.get_site_root_paths, "anju_remembered", False):
        return
    read = Site.get_site_root_paths

    def get_site_root_paths():
        return localcache.remember("site-root-paths", read)

    get_site_root_paths.anju_remembered = True
    Site.get_site_root_paths = staticmethod(get_site_root_paths)


def remember_view_restrictions() -> None:
    """Wagtail checks every page it serves for view restrictions on it and its ancestors
    (two queries). While no page anywhere has one, which the process remembers under
    the generation (saving or deleting a restriction changes it: anju.portal.apps), the
    answer is known without asking; otherwise Wagtail asks as before."""
    from wagtail.models import Page, PageViewRestriction

    if getattr(Page.get_view_restrictions, "anju_remembered", False):
        return
    read = Page.get_view_restrictions

    def get_view_restrictions(self):
        if not localcache.remember(
            "any-view-restriction", lambda: PageViewRestriction.objects.exists()
        ):
            return PageViewRestriction.objects.none()
        return read(self)

    get_view_restrictions.anju_remembered = True
    Page.get_view_restrictions = get_view_restrictions


class AnonymousPageCacheMiddleware:
    """Serve anonymous GETs of portal pages from the cache. Place it first after
    whitenoise, before the session and locale middleware: a hit then costs what a
    static file costs plus a look at the generation's subscription, and what those middleware
    add to a response (Content-Language, Vary) is kept with the page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = localcache.begin()
        try:
            response = self._serve(request)
        finally:
            localcache.end(token)
        if settings.SESSION_COOKIE_NAME in request.COOKIES and not request.path_info.startswith(
            ("/static/", "/api/")
        ):
            # Someone's own page: never kept by a cache on the way.
            patch_cache_control(response, private=True)
        return response

    def _render(self, request):
        remember_site(request)
        return self.get_response(request)

    def _serve(self, request):
        timeout = settings.PORTAL_CACHE_SECONDS
        if timeout <= 0 or not _cacheable_request(request):
            return self._render(request)
        current = localcache.generation()
        if current is None:  # the shared cache is unreachable: render afresh
            return self._render(request)
        key = _key(request, current)
        cached = localcache.get(("page", key))
        if cached is None:
            cached = cache.get(key)
            if cached is not None:
                localcache.put(("page", key), cached)
        if cached is not None:
            response = _copy(cached)
            response["X-Anju-Cache"] = "hit"
            return response
        response = self._render(request)
        if _cacheable_response(response):
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            patch_response_headers(response, cache_timeout=60)
            patch_cache_control(response, public=True)
            patch_vary_headers(response, ("Cookie",))
            cache.set(key, response, timeout)
            localcache.put(("page", key), _copy(response))
            response["X-Anju-Cache"] = "miss"
        return response


def _copy(response):
    """A response to send, leaving the remembered one as it was (middleware further out
    adds headers to what it is given): a shallow copy with its own headers and cookies
    (the content, bytes, is shared; headers were checked when first set)."""
    from http.cookies import SimpleCookie

    copy = stdlib_copy.copy(response)
    copy.headers = stdlib_copy.copy(response.headers)
    copy.headers._store = dict(response.headers._store)
    copy.cookies = SimpleCookie()
    copy._container = list(response._container)
    copy._resource_closers = []
    return copy
