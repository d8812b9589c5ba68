"""Portal pages. Templates are named after the model: portal/home_page.html, ..."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from anju.core import localcache


class HomePage(Page):
    """The community portal's front page (首页).

    It has three places that later layers fill: pinned notices, latest notices, and the
    service directory that plugins contribute cards to. The view builds their contents in
    ``get_context`` so the template runs no queries of its own.
    """

    intro = models.CharField(
        _("introduction"),
        max_length=255,
        blank=True,
        help_text=_("One plain sentence under the community's name."),
    )
    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro")]
    api_fields = [APIField("intro"), APIField("body")]

    # Directly under the root: one home page (and one Site) per community, so a county
    # runs all its communities from one installation.
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def route(self, request, path_components):
        """Which page a path under this home page names, remembered in the process until
        the next publish, move or deletion (anju.core.localcache): two queries per level
        of the path saved on every request. Paths that name nothing are not remembered."""
        if not path_components or getattr(request, "is_preview", False):
            return super().route(request, path_components)
        key = ("route", self.pk, tuple(path_components))
        found = localcache.get(key)
        if found is None:
            found = super().route(request, path_components)  # Http404 is never kept
            localcache.put(key, found)
        return found

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from anju.notices.views import home_notices
        from anju.plugins.context_processors import service_cards

        # Pinned and latest notices (and the link to all of them), built here in a fixed
        # number of queries: the template runs none of its own. Lazy: the template keeps
        # its sections rendered until the next publish ({% publishcache %}), and then
        # nothing here is asked for.
        context.update(
            localcache.lazy_context(
                lambda: {
                    **home_notices(self, request),
                    "service_directory": service_cards(request),
                    "service_form_pages": service_form_pages(self),
                },
                (
                    "pinned_notices",
                    "latest_notices",
                    "notice_index",
                    "notice_feed_url",
                    "service_directory",
                    "service_form_pages",
                ),
            )
        )
        return context


def service_form_pages(home: Page) -> list:
    """The staff-built request forms published under ``home`` (one query)."""
    from anju.services.models import ServiceFormPage

    return [
        {"title": p.title, "intro": p.intro, "url": p.url}
        for p in ServiceFormPage.objects.live()
        .public()
        .descendant_of(home)
        .filter(service__is_active=True)
        .only("title", "intro", "url_path", "path", "depth")
        .order_by("path")[:24]
    ]


class StandardPage(Page):
    """A plain page of text: about the community, opening hours, contacts."""

    intro = models.CharField(_("introduction"), max_length=255, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    api_fields = [APIField("intro"), APIField("body")]

    parent_page_types = ["portal.HomePage", "portal.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")
