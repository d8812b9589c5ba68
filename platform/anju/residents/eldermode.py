"""长辈模式 (elder mode): larger text, bigger buttons and simpler pages, one tap away
and remembered in a cookie (a year). The cookie is all there is: no account needed, and
the anonymous page cache keeps one copy of each page per mode (anju.portal.cache)."""

from django.http import Http404, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

COOKIE = "anju_elder"
MAX_AGE = 365 * 24 * 3600


def is_on(request) -> bool:
    return request.COOKIES.get(COOKIE) == "1"


def context(request):
    """Template context processor: ``elder_mode`` (bool)."""
    return {"elder_mode": is_on(request) if request is not None else False}


def switch(request, state: str):
    """``/elder-mode/on/`` or ``/elder-mode/off/``, back to ``?next=`` (a link, so the
    switch works on cached pages with no form and no CSRF token: it only changes how
    pages look)."""
    if state not in ("on", "off"):
        raise Http404
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if state == "on":
        response.set_cookie(COOKIE, "1", max_age=MAX_AGE, samesite="Lax")
    else:
        response.delete_cookie(COOKIE, samesite="Lax")
    return response
