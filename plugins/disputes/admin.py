"""The staff's side, in the Wagtail admin: Disputes → list and case page (with its
actions), screening rounds, figures and the yearly report.

Every view declares ``grid_scope = Scope.GRID`` and shows only what
``handling.visible_disputes`` (or ``scope_queryset``) lets the user see: a dispute of
another grid is a 404. Model permissions come from the roles (``role_permissions`` in
apps.py); which records, from the grid seats.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSetGroup

from anju.community import Grid, Visit
from anju.core import protected_file_response
from anju.permissions import PermissionViewSet, Scope, scope_queryset
from anju.services import CaseEvent, WorkflowError

from . import handling
from .figures import dispute_figures, year_bounds
from .forms import (
    EscalateForm,
    FollowUpForm,
    PartyForm,
    PeriodForm,
    ResolveForm,
    RiskForm,
    ScreeningForm,
    SessionForm,
    VisitDisputeForm,
    WithdrawForm,
)
from .models import (
    DisputeParty,
    DisputeType,
    MediationSession,
    ScreeningRound,
    first_of_month,
)
from .report import yearly_workbook

PAGE_SIZE = 50


class DisputesView(WagtailAdminTemplateMixin, TemplateView):
    """Base of every admin view here: grid-scoped, and needs ``permission``."""

    grid_scope = Scope.GRID
    permission = handling.VIEW
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = self.breadcrumbs_items + [
            {"url": reverse("disputes_admin:index"), "label": gettext_lazy("Disputes")}
        ]
        return items + [{"url": "", "label": self.get_page_title()}]


# --- the list --------------------------------------------------------------------------


def list_queryset(user):
    """Disputes as every list shows them, in a constant number of queries."""
    return (
        handling.visible_disputes(user)
        .for_lists()
        .prefetch_related(
            Prefetch("parties", queryset=DisputeParty.objects.select_related("resident"))
        )
        .annotate(session_count=Count("sessions", distinct=True))
        .order_by("-case__created_at", "-pk")
    )


class DisputeIndexView(DisputesView):
    template_name = "disputes/admin/index.html"
    page_title = gettext_lazy("Disputes")

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        disputes = list_queryset(self.request.user)
        state = params.get("state", "open")
        if state == "open":
            disputes = disputes.open()
        elif state == "ended":
            disputes = disputes.ended()
        elif state == "follow_up":
            disputes = disputes.follow_up_pending()
        if params.get("type") in DisputeType.values:
            disputes = disputes.filter(dispute_type=params["type"])
        grids = scope_queryset(Grid.objects.all(), self.request.user).order_by("number")
        if params.get("grid", "").isdigit():
            disputes = disputes.filter(case__grid_id=int(params["grid"]))
        page = Paginator(disputes, PAGE_SIZE).get_page(params.get("p"))
        context.update(
            page=page,
            disputes=page.object_list,
            state=state,
            grids=grids,
            types=DisputeType.choices,
            selected_type=params.get("type", ""),
            selected_grid=params.get("grid", ""),
            today=timezone.localdate(),
        )
        return context


# --- one dispute -------------------------------------------------------------------------


ACTIONS = {
    # name: (form class, needs the dispute to build the form)
    "party": PartyForm,
    "session": SessionForm,
    "escalate": EscalateForm,
    "resolve": ResolveForm,
    "withdraw": WithdrawForm,
    "follow_up": FollowUpForm,
    "risk": RiskForm,
}


def _form(name, dispute, user, data=None, files=None):
    form_class = ACTIONS[name]
    kwargs = {}
    if form_class is PartyForm:
        kwargs = {"dispute": dispute, "user": user}
    elif form_class is EscalateForm:
        kwargs = {"dispute": dispute}
    if form_class is RiskForm and data is None:
        kwargs["initial"] = {"risk": dispute.risk}
    return (
        form_class(data, files, prefix=name, **kwargs)
        if data is not None
        else form_class(prefix=name, **kwargs)
    )


class DisputeDetailView(DisputesView):
    """A dispute: what happened, the parties (phones masked), mediation sessions,
    escalations, the case's timeline, and the actions the user may take."""

    template_name = "disputes/admin/detail.html"

    def get_dispute(self):
        dispute = (
            handling.visible_disputes(self.request.user)
            .for_lists()
            .select_related("visit__visitor")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if dispute is None:
            raise Http404
        return dispute

    def get_page_title(self):
        return _("Dispute %(reference)s") % {"reference": self.dispute.reference}

    def get(self, request, *args, **kwargs):
        self.dispute = self.get_dispute()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.dispute = self.get_dispute()
        name = kwargs.get("action") or ""
        if name not in ACTIONS:
            raise Http404
        if not handling.may_handle(request.user, self.dispute):
            raise PermissionDenied
        form = _form(name, self.dispute, request.user, request.POST, request.FILES)
        if form.is_valid():
            try:
                self.act(name, form.cleaned_data)
            except (WorkflowError, ValidationError) as exc:
                message = exc.message if isinstance(exc, WorkflowError) else " ".join(exc.messages)
                form.add_error(None, message)
            else:
                messages.success(request, _("Saved."))
                return redirect("disputes_admin:detail", pk=self.dispute.pk)
        context = self.get_context_data(**{f"{name}_form": form})
        return self.render_to_response(context, status=400)

    def act(self, name, data):
        user, dispute = self.request.user, self.dispute
        if name == "party":
            handling.add_party(
                dispute,
                user,
                resident=data.get("resident"),
                name=data.get("name", ""),
                phone=data.get("phone", ""),
                note=data.get("note", ""),
            )
        elif name == "session":
            handling.record_session(
                dispute,
                user,
                held_at=data["held_at"],
                attendees=data.get("attendees", ""),
                agreement=data.get("agreement", ""),
                document=data.get("agreement_document"),
            )
        elif name == "escalate":
            handling.escalate(dispute, user, to_level=data["to_level"], reason=data["reason"])
        elif name == "resolve":
            handling.resolve(dispute, user, note=data.get("note", ""))
        elif name == "withdraw":
            handling.withdraw(dispute, user, reason=data["reason"])
        elif name == "follow_up":
            handling.follow_up(
                dispute,
                user,
                settled=data["settled"],
                satisfaction=data.get("satisfaction"),
                note=data.get("note", ""),
            )
        elif name == "risk":
            handling.set_risk(dispute, data["risk"], user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dispute = self.dispute
        may_handle = handling.may_handle(self.request.user, dispute)
        case = dispute.case
        context.update(
            dispute=dispute,
            case=case,
            may_handle=may_handle,
            parties=dispute.parties.select_related("resident"),
            sessions=dispute.sessions.select_related("mediator"),
            escalations=handling.escalation_steps(dispute),
            events=CaseEvent.objects.filter(case=case).select_related("actor"),
            follow_up_open=dispute.follow_up_due is not None,
        )
        if may_handle:
            for name in ACTIONS:
                context.setdefault(f"{name}_form", _form(name, dispute, self.request.user))
        return context


class SessionDocumentView(DisputesView):
    """The agreement document of a session, only to those who may see the dispute (the
    file is never linked from a public URL)."""

    def get(self, request, pk):
        session = get_object_or_404(
            MediationSession.objects.filter(
                dispute__in=handling.visible_disputes(request.user).values("pk")
            ),
            pk=pk,
        )
        return protected_file_response(session.agreement_document)


class FromVisitView(DisputesView):
    """“Record a dispute from this visit”: a grid worker files it for the visited
    household, on the resident's behalf, linked to the visit."""

    template_name = "disputes/admin/from_visit.html"
    permission = "disputes.add_dispute"
    page_title = gettext_lazy("Record a dispute from a visit")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            visits = scope_queryset(
                Visit.objects.select_related("household__building", "visitor"), request.user
            )
            self.visit = get_object_or_404(visits, pk=kwargs["visit_pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["visit"] = self.visit
        context.setdefault("form", VisitDisputeForm(visit=self.visit, user=self.request.user))
        return context

    def post(self, request, *args, **kwargs):
        from .services import file_from_visit

        form = VisitDisputeForm(request.POST, visit=self.visit, user=request.user)
        if form.is_valid():
            dispute = file_from_visit(self.visit, form, request.user)
            messages.success(
                request,
                _("Dispute %(reference)s recorded.") % {"reference": dispute.reference},
            )
            return redirect("disputes_admin:detail", pk=dispute.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- screening rounds -------------------------------------------------------------------


def screening_status(user, month: datetime.date):
    """(grid, round or None) for every grid ``user`` may see, in ``month``: two queries."""
    grids = list(
        scope_queryset(Grid.objects.select_related("community"), user).order_by(
            "community_id", "number"
        )
    )
    rounds = {
        r.grid_id: r
        for r in ScreeningRound.objects.filter(
            grid__in=[g.pk for g in grids], month=first_of_month(month)
        ).select_related("done_by")
    }
    return [(grid, rounds.get(grid.pk)) for grid in grids]


class ScreeningView(DisputesView):
    """Which grids have screened for disputes this month (排查), and recording a round —
    also when nothing was found."""

    template_name = "disputes/admin/screening.html"
    permission = "disputes.view_screeninground"
    page_title = gettext_lazy("Screening rounds")
    header_icon = "list-ul"

    def month(self):
        form = ScreeningForm(user=self.request.user)
        value = self.request.GET.get("month")
        if value:
            try:
                return form.fields["month"].clean(value)
            except ValidationError:
                pass
        return first_of_month(timezone.localdate())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = self.month()
        rows = screening_status(self.request.user, month)
        context.update(
            month=month,
            rows=rows,
            missing=[grid for grid, found in rows if found is None],
            may_record=self.request.user.has_perm("disputes.add_screeninground"),
            recent=scope_queryset(
                ScreeningRound.objects.select_related("grid", "done_by"), self.request.user
            )[:24],
        )
        context.setdefault("form", ScreeningForm(user=self.request.user))
        return context

    def post(self, request, *args, **kwargs):
        if not (
            request.user.has_perm("disputes.add_screeninground")
            and request.user.has_perm("disputes.change_screeninground")
        ):
            raise PermissionDenied
        form = ScreeningForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            ScreeningRound.objects.update_or_create(
                grid=data["grid"],
                month=data["month"],
                defaults={"found": data["found"], "note": data["note"], "done_by": request.user},
            )
            messages.success(request, _("Screening round recorded."))
            return redirect(f"{reverse('disputes_screening:index')}?month={data['month']:%Y-%m}")
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- figures and the yearly report ---------------------------------------------------------


class FiguresView(DisputesView):
    template_name = "disputes/admin/figures.html"
    page_title = gettext_lazy("Dispute figures")
    header_icon = "table"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = PeriodForm(self.request.GET or None, user=self.request.user)
        if not form.is_bound:
            form = PeriodForm({}, user=self.request.user)
        context["form"] = form
        if form.is_valid():
            data = form.cleaned_data
            context["figures"] = dispute_figures(
                handling.visible_disputes(self.request.user),
                start=data["start"],
                end=data["end"],
                grid=data.get("grid"),
            )
        this_year = timezone.localdate().year
        context["years"] = list(range(this_year, this_year - 5, -1))
        return context


class YearlyReportView(DisputesView):
    """The yearly report as an Excel workbook."""

    def get(self, request):
        year = request.GET.get("year", "")
        year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else None
        year = year or timezone.localdate().year
        start, end = year_bounds(year)
        data = yearly_workbook(handling.visible_disputes(request.user), start, end, year)
        response = HttpResponse(
            data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="disputes-{year}.xlsx"'
        return response


# --- viewsets and menu ---------------------------------------------------------------------


class _AdminViewSet(PermissionViewSet):
    icon = "warning"
    permission = handling.VIEW


class DisputesViewSet(_AdminViewSet):
    menu_label = gettext_lazy("Disputes")
    menu_order = 1

    def get_urlpatterns(self):
        return [
            path("", DisputeIndexView.as_view(), name="index"),
            path("<int:pk>/", DisputeDetailView.as_view(), name="detail"),
            path("<int:pk>/<slug:action>/", DisputeDetailView.as_view(), name="act"),
            path("from-visit/<int:visit_pk>/", FromVisitView.as_view(), name="from_visit"),
            path("sessions/<int:pk>/document/", SessionDocumentView.as_view(), name="document"),
        ]


class ScreeningViewSet(_AdminViewSet):
    menu_label = gettext_lazy("Screening rounds")
    icon = "list-ul"
    menu_order = 2
    permission = "disputes.view_screeninground"

    def get_urlpatterns(self):
        return [path("", ScreeningView.as_view(), name="index")]


class FiguresViewSet(_AdminViewSet):
    menu_label = gettext_lazy("Figures")
    icon = "table"
    menu_order = 3

    def get_urlpatterns(self):
        return [
            path("", FiguresView.as_view(), name="index"),
            path("report.xlsx", YearlyReportView.as_view(), name="report"),
        ]


class DisputesViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Disputes")
    menu_icon = "warning"
    menu_order = 320
    items = (
        DisputesViewSet("disputes_admin", url_prefix="disputes"),
        ScreeningViewSet("disputes_screening", url_prefix="disputes/screening"),
        FiguresViewSet("disputes_figures", url_prefix="disputes/figures"),
    )


viewsets = [DisputesViewSetGroup()]
