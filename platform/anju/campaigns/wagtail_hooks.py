"""Campaigns in the Wagtail admin: one "Campaigns" menu (the due list, progress, the
builder) and their URLs. See admin/views.py."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from .admin import views


@hooks.register("register_admin_viewset")
def register_campaign_builder():
    return views.campaign_viewset


@hooks.register("register_admin_urls")
def register_campaign_urls():
    return views.urlpatterns()


@hooks.register("register_admin_menu_item")
def register_campaigns_menu():
    return SubmenuMenuItem(
        _("Campaigns"),
        Menu(items=views.menu_items()),
        name="campaigns",
        icon_name="list-ul",
        order=145,
    )
