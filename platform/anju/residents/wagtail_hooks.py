from django.urls import path, reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from .admin_views import AddProxyView, DecideLinkView, LinksMenuItem, PendingLinksView


@hooks.register("register_admin_urls")
def register_resident_link_urls():
    return [
        path("resident-links/", PendingLinksView.as_view(), name="residents_admin_links"),
        path("resident-links/<int:pk>/", DecideLinkView.as_view(), name="residents_admin_decide"),
        path("resident-links/proxy/", AddProxyView.as_view(), name="residents_admin_proxy"),
    ]


@hooks.register("register_admin_menu_item")
def register_resident_links_menu_item():
    return LinksMenuItem(
        _("Resident accounts"),
        reverse_lazy("residents_admin_links"),
        name="resident-links",
        icon_name="user",
        order=170,
    )
