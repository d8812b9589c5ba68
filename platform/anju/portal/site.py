"""Make sure the portal has its home page and a default Site pointing at it."""

from django.conf import settings
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from .models import HomePage

DEFAULT_TITLE = "社区首页"


@transaction.atomic
def ensure_home_page(title: str = DEFAULT_TITLE, intro: str = "") -> HomePage:
    """Return the portal's HomePage, creating it (and the default Site) if missing.

    Replaces Wagtail's placeholder "Welcome" page that a fresh install starts with.
    Safe to call any number of times.
    """
    home = HomePage.objects.first()
    if home is None:
        root = _ensure_root()
        for placeholder in root.get_children().filter(
            content_type__app_label="wagtailcore", content_type__model="page"
        ):
            placeholder.delete()
        home = root.add_child(instance=HomePage(title=title, slug="home", intro=intro))
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name=site_name(title),
        )
    elif site.root_page_id != home.id or not site.site_name:
        # A site without a name shows its host name ("localhost") in the admin.
        site.root_page = home
        site.site_name = site.site_name or site_name(title)
        site.save()
    return home


def site_name(fallback: str) -> str:
    """The default site's name: the community's, so the admin reads "Pages of 安居苑"
    rather than a host name."""
    from anju.community.models import Community

    community = Community.objects.order_by("pk").only("name").first()
    return community.name if community is not None else fallback


def _ensure_root() -> Page:
    """Wagtail's root page and default locale, which its migrations normally create
    (a flushed database, as in transactional tests, has neither)."""
    root = Page.get_first_root_node()
    if root is None:
        Locale.objects.get_or_create(
            language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        )
        root = Page.add_root(instance=Page(title="Root", slug="root", draft_title="Root"))
    return root
