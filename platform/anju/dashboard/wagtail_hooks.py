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
