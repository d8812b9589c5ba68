"""Visit coverage per grid over a period (households visited / households) in the admin;
only the grids the user may see. The API's view is anju.register.api.coverage."""

from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from anju.community.figures import PeriodForm, visit_coverage
from anju.community.models import Grid
from anju.permissions.scope import scope_queryset
from anju.permissions.urlscope import Scope


def coverage_for(request, data):
    grids = scope_queryset(Grid.objects.all(), request.user)
    return visit_coverage(grids, data["start"], data["end"])


class VisitCoverageView(WagtailAdminTemplateMixin, TemplateView):
    grid_scope = Scope.GRID
    template_name = "community/admin/visit_coverage.html"
    page_title = _("Visit coverage")
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("community.view_visit"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = PeriodForm(self.request.GET or {})
        context["form"] = form
        if form.is_valid():
            rows = coverage_for(self.request, form.cleaned_data)
            context["rows"] = rows
            context["start"], context["end"] = form.cleaned_data["start"], form.cleaned_data["end"]
            households = sum(r.households for r in rows)
            visited = sum(r.visited for r in rows)
            context["total"] = {
                "households": households,
                "visited": visited,
                "percent": round(visited * 100 / households) if households else None,
            }
        return context
