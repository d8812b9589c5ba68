"""The dashboard in the Wagtail admin: the home panel, the monthly report and its menu
item (shown to whoever sees at least one tile)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from anju.community.sites import current_community

from .views import (
    MonthlyReportView,
    MonthlyReportWorkbookView,
    add_dashboard_panel,
    may_see_dashboard,
)


@hooks.register("construct_homepage_panels")
def dashboard_panel(request, panels):
    add_dashboard_panel(request, panels)


@hooks.register("construct_homepage_summary_items", order=100)
def no_site_summary_above_the_dashboard(request, items):
    """The dashboard is the home's summary: whoever sees it is not also shown Wagtail's
    counts of pages, images and documents (four queries of each home load, figures no
    role of the community reads). Runs after Wagtail's own hooks (order 100). The
    panels of notices in moderation, recent edits and locked pages stay: notice writers
    and the committee who approves them use them."""
    if may_see_dashboard(request.user, current_community(request)):
        items.clear()


@hooks.register("register_admin_urls")
def dashboard_urls():
    return [
        path("dashboard/report/", MonthlyReportView.as_view(), name="anju_dashboard_report"),
        path(
            "dashboard/report/xlsx/",
            MonthlyReportWorkbookView.as_view(),
            name="anju_dashboard_report_xlsx",
        ),
    ]


class ReportMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_dashboard(request.user, current_community(request))


@hooks.register("register_admin_menu_item")
def report_menu_item():
    return ReportMenuItem(
        _("Monthly report"),
        reverse("anju_dashboard_report"),
        name="monthly-report",
        icon_name="table",
        order=140,
    )
