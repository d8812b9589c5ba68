from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "anju.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from anju.plugins.models import PluginActivation

        from .cache import invalidate, remember_site_root_paths, remember_view_restrictions

        # Wagtail asks Redis for the sites' root paths on every Page.get_url without a
        # request (20 times for one /api/v2/pages/): remembered in the process instead.
        remember_site_root_paths()
        # And checks each page it serves for view restrictions (two queries): none is
        # known without asking while the site has none.
        remember_view_restrictions()

        # Whatever anonymous visitors could see has changed: forget the cached pages.
        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(invalidate, dispatch_uid=f"anju-portal-cache-{signal}")
        post_delete.connect(invalidate, sender="wagtailcore.Page", dispatch_uid="anju-pc-del")
        # A service opened or closed changes the home page's service directory.
        # Who may see a page (its privacy), the form versions and the buildings offered on
        # service forms change what anonymous visitors get, too.
        for model in (
            PluginActivation,
            "wagtailcore.Site",
            "wagtailcore.PageViewRestriction",
            "services.Service",
            "services.FormVersion",
            "community.Building",
        ):
            post_save.connect(invalidate, sender=model, dispatch_uid=f"anju-pc-save-{model}")
            post_delete.connect(invalidate, sender=model, dispatch_uid=f"anju-pc-delete-{model}")
