"""The dashboard in the admin: the home panel (committee and grid workers alike, each
over the grids they may see), the printable monthly report and its workbook."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from anju.community.sites import current_community
from anju.permissions.scope import is_grid_restricted
from anju.permissions.urlscope import Scope

from .board import build_board, tiles_for
from .months import month_from
from .report import workbook_bytes

#: Households of the due list shown on a grid worker's home (the rest: "My due list").
DUE_ROWS = 10


def may_see_dashboard(user, community) -> bool:
    return bool(user.is_authenticated and user.is_staff and tiles_for(user, community))


def format_value(figure, value) -> str:
    if value is None:
        return "—"
    if figure.rate:
        return f"{value * 100:.0f}%"
    return str(value)


def table(board) -> dict:
    """The per-grid table. Its body is built here as one string rather than by the
    template engine: 500 grids × 30 figures are 15,000 cells, which Django's template
    loop renders in about half a second and a join in a few milliseconds. Grid names are
    escaped; every other cell is a number or a percentage we formatted."""
    columns = [(tile, figure) for tile in board.tiles for figure in tile.figures]
    parts = []
    for grid in board.grids:
        cells = "".join(
            f"<td>{format_value(figure, figure.value(tile.per_grid.get(grid.pk, EMPTY)))}</td>"
            for tile, figure in columns
        )
        parts.append(f'<tr><th scope="row">{escape(grid.name)}</th>{cells}</tr>\n')
    return {
        "groups": [(tile.label, len(tile.figures)) for tile in board.tiles],
        "columns": [figure.label for _tile, figure in columns],
        "body": mark_safe("".join(parts)),  # noqa: S308 - escaped above
        "total": [format_value(f, f.value(t.sums)) for t, f in columns],
    }


EMPTY: dict = {}


def board_context(request, month=None) -> dict:
    community = current_community(request)
    board = build_board(request.user, community, month)
    return {
        "board": board,
        "community": community,
        "tiles": [
            {
                "result": tile,
                "figures": [(f, format_value(f, v)) for f, v in tile.total()],
                "url": reverse(tile.tile.url_name) if tile.tile.url_name else "",
            }
            for tile in board.tiles
        ],
        "table": table(board),
        "chart_data": board.chart_data(),
    }


class DashboardPanel(Component):
    """The admin home's dashboard: the figures of every tile the user may see, per grid
    and in total, the charts, and for grid workers their due list."""

    name = "anju_dashboard"
    order = 10
    template_name = "dashboard/home_panel.html"

    class Media:
        js = ["dashboard/vendor/chartjs/chart.umd.min.js", "dashboard/dashboard.js"]
        css = {"all": ["dashboard/dashboard.css"]}

    def __init__(self, request):
        self.request = request

    def render_html(self, parent_context=None):
        request = self.request
        month, form = month_from(request)
        context = board_context(request, month)
        context.update(request=request, form=form, report_url=reverse("anju_dashboard_report"))
        # The due list is for those who answer targets in their grids (grid workers);
        # representatives read progress but owe no visits.
        if is_grid_restricted(request.user) and request.user.has_perm("campaigns.add_targetanswer"):
            from anju.campaigns.duelist import due_list

            households = due_list(request.user)
            context["due"] = households[:DUE_ROWS]
            context["due_count"] = len(households)
            context["due_url"] = reverse("anju_campaigns:due")
        return mark_safe(render_to_string(self.template_name, context, request=request))


def add_dashboard_panel(request, panels) -> None:
    if may_see_dashboard(request.user, current_community(request)):
        panels.insert(0, DashboardPanel(request))


class ReportAccessMixin:
    grid_scope = Scope.GRID  # figures over the grids the user may see

    def dispatch(self, request, *args, **kwargs):
        if not may_see_dashboard(request.user, current_community(request)):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class MonthlyReportView(ReportAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    """The monthly report as a printable page, with a month picker."""

    template_name = "dashboard/report.html"
    page_title = _("Monthly report")
    header_icon = "table"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month, form = month_from(self.request)
        context.update(board_context(self.request, month))
        context["form"] = form
        context["xlsx_url"] = reverse("anju_dashboard_report_xlsx") + f"?month={month:%Y-%m}"
        return context


class MonthlyReportWorkbookView(ReportAccessMixin, View):
    def get(self, request):
        month, form = month_from(request)
        if form.is_bound and form.errors:
            return HttpResponse(
                " ".join(str(e) for e in form.errors.get("month", [])),
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        community = current_community(request)
        board = build_board(request.user, community, month)
        data = workbook_bytes(board, community.name if community else "")
        response = HttpResponse(
            data,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="monthly-report-{month:%Y-%m}.xlsx"'
        )
        return response
