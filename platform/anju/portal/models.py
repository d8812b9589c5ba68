"""Portal pages. Templates are named after the model: portal/home_page.html, ..."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


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

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        from anju.notices.views import home_notices
        from anju.plugins.context_processors import service_cards

        # Pinned and latest notices (and the link to all of them), built here in a fixed
        # number of queries: the template runs none of its own.
        context.update(home_notices(self, request))
        context["service_directory"] = service_cards(request)
        context["service_form_pages"] = service_form_pages(self)
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
