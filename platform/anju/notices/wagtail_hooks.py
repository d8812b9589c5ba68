"""Admin behaviour of notices that Wagtail does not have on its own.

Unpublishing an expired notice. Wagtail's scheduled unpublishing leaves an expired page
not live with ``expired=True``; such a notice stays readable and says it has expired
(``NoticePage.route``). Wagtail offers "Unpublish" only for live pages, so an editor could
not take an expired notice down (a wrong or withdrawn notice must go). ``NoticePage``'s
permission tester offers it for an expired notice too, and after Wagtail's unpublish
view has run — a no-op for a page that is not live — this clears ``expired``, so the page
answers 404 like any notice an editor unpublished.
"""

from wagtail import hooks
from wagtail.log_actions import log

from anju.core import localcache


@hooks.register("after_unpublish_page")
def unpublish_expired_notice(request, page):
    from .models import NoticePage

    page = page.specific
    if isinstance(page, NoticePage) and not page.live and page.expired:
        NoticePage.objects.filter(pk=page.pk).update(expired=False)
        page.expired = False
        # An update sends no signal: forget the page in every process (its route, its
        # fragments, the cached portal pages), as a publish would.
        localcache.bump()
        log(instance=page, action="wagtail.unpublish", user=request.user)
