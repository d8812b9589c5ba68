"""The staff's side in the Wagtail admin: Gas and fire safety → hazards (list and page,
with the photo, rectification and re-check), gas status per household, safety talks,
figures per grid and the township's workbook.

Hazards are listed through ``handling.visible_hazards``: the grid's team and the
committee see their grids', a partner organisation's staff only those handed over to
them; anything else is a 404. Gas statuses are grid data (``GridScopedModelViewSet``);
talks are the community's (``Scope.COMMUNITY``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup

from anju.community import Grid
from anju.core import protected_file_response
from anju.permissions import (
    CommunityScopedModelViewSet,
    GridScopedModelViewSet,
    PermissionViewSet,
    Scope,
    ScopedModelForm,
    scope_queryset,
)
from anju.services import CaseEvent, WorkflowError, may_work_on

from . import figures, handling
from .forms import HazardForm, RecheckForm, RectifyForm, SeasonForm
from .models import GasStatus, HazardKind, HazardState, SafetyTalk

PAGE_SIZE = 50
RECHECK = "safety.recheck_hazard"


class SafetyView(WagtailAdminTemplateMixin, TemplateView):
    """Base of the hazard and figures views: grid-scoped, and needs ``permission``."""

    grid_scope = Scope.GRID
    permission = handling.VIEW
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# --- hazards ---------------------------------------------------------------------------


def list_queryset(user):
    return handling.visible_hazards(user).for_lists().order_by("case__resolve_due", "pk")


def filter_state(hazards, state: str):
    if state == HazardState.CLOSED:
        return hazards.closed()
    if state == HazardState.OVERDUE:
        return hazards.overdue()
    if state == HazardState.RECTIFIED:
        return hazards.to_recheck()
    if state == "all":
        return hazards
    return hazards.open()


class HazardIndexView(SafetyView):
    template_name = "safety/admin/hazards.html"
    page_title = gettext_lazy("Hazards")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        state = params.get("state", HazardState.OPEN)
        hazards = filter_state(list_queryset(self.request.user), state)
        if params.get("kind") in HazardKind.values:
            hazards = hazards.filter(kind=params["kind"])
        if params.get("grid", "").isdigit():
            hazards = hazards.filter(case__grid_id=int(params["grid"]))
        page = Paginator(hazards, PAGE_SIZE).get_page(params.get("p"))
        context.update(
            page=page,
            hazards=page.object_list,
            state=state,
            states=[(s.value, s.label) for s in HazardState] + [("all", _("All"))],
            kinds=HazardKind.choices,
            grids=scope_queryset(Grid.objects.all(), self.request.user).order_by("number"),
            selected_kind=params.get("kind", ""),
            selected_grid=params.get("grid", ""),
        )
        return context


ACTIONS = {"update": HazardForm, "rectify": RectifyForm, "recheck": RecheckForm}


class HazardDetailView(SafetyView):
    """A hazard: what, where, who must fix it by when, the photo, the case's timeline
    and the actions the user may take."""

    template_name = "safety/admin/hazard.html"

    def get_hazard(self):
        hazard = list_queryset(self.request.user).filter(pk=self.kwargs["pk"]).first()
        if hazard is None:
            raise Http404
        return hazard

    def get_page_title(self):
        return _("Hazard %(reference)s") % {"reference": self.hazard.case.reference}

    def get(self, request, *args, **kwargs):
        self.hazard = self.get_hazard()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.hazard = self.get_hazard()
        name = kwargs.get("action") or ""
        if name not in ACTIONS:
            raise Http404
        if not self.may(name):
            raise PermissionDenied
        form = ACTIONS[name](request.POST, request.FILES, prefix=name)
        if form.is_valid():
            try:
                self.act(name, form.cleaned_data)
            except WorkflowError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("safety_hazards:detail", pk=self.hazard.pk)
        context = self.get_context_data(**{f"{name}_form": form})
        return self.render_to_response(context, status=400)

    def may(self, name) -> bool:
        user = self.request.user
        if not (user.has_perm("safety.change_hazard") and may_work_on(user, self.hazard.case)):
            return False
        if name == "recheck":
            return user.has_perm(RECHECK)
        if name == "update":  # severity and who must fix it: the grid's team's call
            return user.has_perm("safety.add_hazard")
        return True

    def act(self, name, data):
        user, hazard = self.request.user, self.hazard
        if name == "update":
            handling.update(
                hazard,
                user,
                severity=data["severity"],
                responsible=data["responsible"],
                description=data.get("description", ""),
                photo=data.get("photo"),
            )
        elif name == "rectify":
            handling.rectify(hazard, user, data["note"])
        elif name == "recheck":
            handling.recheck(hazard, user, passed=data["passed"], note=data.get("note", ""))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        hazard = self.hazard
        context.update(
            hazard=hazard,
            case=hazard.case,
            events=CaseEvent.objects.filter(case=hazard.case).select_related("actor"),
        )
        if not hazard.is_closed:
            for name, form_class in ACTIONS.items():
                if self.may(name):
                    initial = (
                        {
                            "severity": hazard.severity,
                            "responsible": hazard.responsible,
                            "description": hazard.description,
                        }
                        if name == "update"
                        else None
                    )
                    context.setdefault(f"{name}_form", form_class(prefix=name, initial=initial))
        return context


class HazardPhotoView(SafetyView):
    """The photo, only to those who may see the hazard (never a public URL)."""

    def get(self, request, pk):
        hazard = handling.visible_hazards(request.user).filter(pk=pk).first()
        if hazard is None or not hazard.photo:
            raise Http404
        return protected_file_response(hazard.photo)


# --- figures ---------------------------------------------------------------------------


def _season(request):
    form = SeasonForm(request.GET or None)
    return form, (form.cleaned_data.get("on") if form.is_valid() else None)


class FiguresView(SafetyView):
    template_name = "safety/admin/figures.html"
    page_title = gettext_lazy("Safety figures")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, on = _season(self.request)
        first, last = handling.season_bounds(on)
        context.update(
            form=form,
            first=first,
            last=last,
            rows=figures.grid_figures(self.request.user, on),
            kinds=HazardKind.choices,
            on=on.isoformat() if on else "",
            may_export=self.request.user.has_perm("safety.export_figures"),
        )
        return context


class FiguresExportView(SafetyView):
    permission = "safety.export_figures"

    def get(self, request):
        _form, on = _season(request)
        first, _last = handling.season_bounds(on)
        response = HttpResponse(
            figures.workbook(request.user, on),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="safety-{first}.xlsx"'
        return response


# --- viewsets --------------------------------------------------------------------------


class _AdminViewSet(PermissionViewSet):
    icon = "warning"
    permission = handling.VIEW


class HazardsViewSet(_AdminViewSet):
    menu_label = gettext_lazy("Hazards")
    menu_order = 1

    def get_urlpatterns(self):
        return [
            path("", HazardIndexView.as_view(), name="index"),
            path("<int:pk>/", HazardDetailView.as_view(), name="detail"),
            path("<int:pk>/photo/", HazardPhotoView.as_view(), name="photo"),
            path("<int:pk>/<slug:action>/", HazardDetailView.as_view(), name="act"),
        ]


class FiguresViewSet(_AdminViewSet):
    menu_label = gettext_lazy("Safety figures")
    icon = "table"
    menu_order = 4
    permission = "safety.view_gasstatus"

    def get_urlpatterns(self):
        return [
            path("", FiguresView.as_view(), name="index"),
            path("figures.xlsx", FiguresExportView.as_view(), name="export"),
        ]


class GasStatusForm(ScopedModelForm):
    scoped_fields = ("household",)

    class Meta:
        model = GasStatus
        fields = ["household", "state", "lpg_cylinders"]


class GasStatusViewSet(GridScopedModelViewSet):
    # The base class names its URLs after the core's community models; ours are the
    # plugin's own.
    name = "safety_gas"
    url_prefix = "safety/gas"
    model = GasStatus
    form_class = GasStatusForm
    menu_label = gettext_lazy("Gas status")
    icon = "site"
    menu_order = 2
    list_display = ["household", "state", "lpg_cylinders", "updated_at"]
    list_filter = ["state"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return GasStatus.objects.select_related("household__building")


class SafetyTalkViewSet(CommunityScopedModelViewSet):
    model = SafetyTalk
    grid_scope = Scope.COMMUNITY
    menu_label = gettext_lazy("Safety talks")
    icon = "group"
    menu_order = 3
    form_fields = ["community", "title", "kind", "partner", "starts_at", "place", "attendees"]
    list_display = ["title", "kind", "partner", "starts_at", "place"]
    copy_view_enabled = False

    def get_queryset(self, request):
        return SafetyTalk.objects.select_related("partner")


class SafetyViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Gas and fire safety")
    menu_icon = "warning"
    menu_order = 330
    items = (
        HazardsViewSet("safety_hazards", url_prefix="safety/hazards"),
        GasStatusViewSet("safety_gas", url_prefix="safety/gas"),
        SafetyTalkViewSet("safety_talks", url_prefix="safety/talks"),
        FiguresViewSet("safety_figures", url_prefix="safety/figures"),
    )


viewsets = [SafetyViewSetGroup()]


def hazard_url(hazard) -> str:
    return reverse("safety_hazards:detail", args=[hazard.pk])
