"""The services engine in the Wagtail admin: one "Cases" menu (inbox, service forms,
figures, filing on a resident's behalf), the case URLs and the service builder.

Each entry is shown only to people holding the permission its page needs, so a menu
never leads to a refusal; the views check the same permissions again."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from .admin import urls as admin_urls
from .admin.builder import service_viewset


@hooks.register("register_admin_viewset")
def register_service_builder():
    return service_viewset


@hooks.register("register_admin_urls")
def register_case_urls():
    return admin_urls.urlpatterns()


@hooks.register("register_admin_menu_item")
def register_cases_menu():
    return SubmenuMenuItem(
        _("Cases"),
        Menu(items=admin_urls.menu_items()),
        name="cases",
        icon_name="tasks",
        order=140,
    )


@hooks.register("register_admin_urls")
def register_consent_urls():
    from . import consent_views

    return consent_views.urlpatterns()


@hooks.register("construct_homepage_panels")
def desk_panel(request, panels):
    from .admin.desk import add_desk_panel

    add_desk_panel(request, panels)
