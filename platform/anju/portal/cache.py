"""The portal's anonymous page cache.

Anonymous visitors read the same pages; each is rendered once and then served from the
cache (Redis in production, shared by every process) until something they could see
changes. Invalidation is by generation: publishing, unpublishing, moving or deleting a
page, or turning a plugin on or off, bumps one counter, and every key made under the old
counter is simply never asked for again (it expires on its own). A view keeps its
response out with ``Cache-Control: private`` (``patch_cache_control(response,
private=True)``, or ``never_cache``), as any shared cache would.

wagtail-cache would do this but does not support Wagtail 8 (it requires wagtail<8).
"""

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import patch_response_headers
from django.utils.translation import get_language

GENERATION_KEY = "anju:portal:generation"
SKIP_PREFIXES = ("/admin/", "/api/", "/documents/", "/static/", "/media/", "/i18n/")


def generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def invalidate(*args, **kwargs) -> None:
    """Forget every cached portal page (connected to the signals that change them)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


#: The elder-mode cookie (anju.residents.eldermode): pages look different with it, so
#: each page is cached once per mode.
ELDER_COOKIE = "anju_elder"


def _key(request) -> str:
    mode = "elder" if request.COOKIES.get(ELDER_COOKIE) == "1" else "std"
    return (
        f"anju:portal:{generation()}:{get_language()}:{mode}:{request.get_host()}:"
        f"{request.get_full_path()}"
    )


def _cacheable_request(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.path_info.startswith(SKIP_PREFIXES)
        # No session cookie: an anonymous visitor, known without a database query.
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and settings.CSRF_COOKIE_NAME not in request.COOKIES
    )


def _cacheable_response(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # A response for one visitor (a form with a CSRF token, a search, a tracked
        # case) says so with Cache-Control: private (django.utils.cache.patch_cache_control).
        and "private" not in response.get("Cache-Control", "")
        and response.get("Content-Type", "").startswith("text/html")
    )


class AnonymousPageCacheMiddleware:
    """Serve anonymous GETs of portal pages from the cache. Place it after the
    locale middleware (the key includes the language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.PORTAL_CACHE_SECONDS
        if timeout <= 0 or not _cacheable_request(request):
            return self.get_response(request)
        key = _key(request)
        cached = cache.get(key)
        if cached is not None:
            cached["X-Anju-Cache"] = "hit"
            return cached
        response = self.get_response(request)
        if _cacheable_response(response):
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            patch_response_headers(response, cache_timeout=60)
            cache.set(key, response, timeout)
            response["X-Anju-Cache"] = "miss"
        return response
