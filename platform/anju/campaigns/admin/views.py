"""The campaigns' admin pages.

- the campaign builder (a Wagtail ModelViewSet; its form refuses a rule matching nobody);
- ``progress/``: every open round, per grid, with the grids that lag;
- ``<campaign>/``: a campaign's rounds, their progress, and starting, refreshing and
  closing rounds (the committee, or whoever runs it);
- ``rounds/<round>/targets/`` and ``rounds/<round>/export/``: the targets, reassigning
  them, and the outcomes as a workbook;
- ``due/``: the grid worker's due list, phone-sized, in walking order;
- ``targets/<target>/``: answering a target — the checklist, the outcome, a case.

Every page reads through ``visibility``: a target outside the user's grids is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet

from anju.community.models import Grid
from anju.services.fieldtypes import build_form_class
from anju.services.forms import service_form_class

from .. import exports, rounds, rules
from ..answering import AnswerError, may_answer, record_answer, refusal
from ..duelist import due_list
from ..models import Campaign, Round, Target
from ..progress import progress
from ..visibility import may_run, visible_campaigns, visible_targets
from .base import Scope, ScopedViewSetMixin
from .forms import AnswerForm, CampaignAdminForm, ReassignForm, StartRoundForm

VIEW_CAMPAIGN = "campaigns.view_campaign"
VIEW_TARGET = "campaigns.view_target"
EXPORT = "campaigns.export_campaign"
REASSIGN = "campaigns.reassign_target"


def forbidden(message) -> HttpResponseForbidden:
    return HttpResponseForbidden(str(message))


# --- the campaign builder ---------------------------------------------------------------


class _CampaignQuerysetMixin:
    def get_object(self, queryset=None):
        pk = unquote(str(self.kwargs[self.pk_url_kwarg]))
        return get_object_or_404(visible_campaigns(self.request.user), pk=pk)


class CampaignIndexView(generic.IndexView):
    def get_base_queryset(self):
        return visible_campaigns(self.request.user).select_related("community", "owner")


class CampaignCreateView(generic.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        matched = getattr(self.form, "matched", None)
        if matched is not None:
            messages.info(self.request, _("The rule matches %(count)s today.") % {"count": matched})
        return instance

    def get_success_url(self):
        return reverse("anju_campaigns:campaign", args=[self.object.pk])


class CampaignEditView(_CampaignQuerysetMixin, generic.EditView):
    def get_success_url(self):
        return reverse("anju_campaigns:campaign", args=[self.object.pk])


class CampaignDeleteView(_CampaignQuerysetMixin, generic.DeleteView):
    pass


RULE_FIELDS = (
    "target_kind",
    "rule_groups",
    "min_age",
    "max_age",
    "rule_grids",
    "rule_buildings",
    "household_flag",
    "plugin_rule",
)


class CampaignViewSet(ScopedViewSetMixin, ModelViewSet):
    """Campaigns hold no grid rows themselves; every list is narrowed by
    ``visible_campaigns`` (the user's communities, or campaigns they run)."""

    model = Campaign
    grid_scope = Scope.GRID
    name = "anju_campaigns_builder"
    url_prefix = "campaigns/builder"
    icon = "list-ul"
    add_to_admin_menu = False
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = False
    search_backend_name = None
    search_fields = ["title"]
    index_view_class = CampaignIndexView
    add_view_class = CampaignCreateView
    edit_view_class = CampaignEditView
    delete_view_class = CampaignDeleteView
    list_display = [
        "title",
        Column("kind", label=gettext_lazy("Kind"), accessor="get_kind_display"),
        Column("recurrence", label=gettext_lazy("Recurrence"), accessor="get_recurrence_display"),
        Column("community", label=gettext_lazy("Community")),
        Column("starts_on", label=gettext_lazy("First round starts")),
    ]
    list_filter = ["kind", "recurrence", "is_active"]

    def get_edit_handler(self):
        panels = [
            MultiFieldPanel(
                [
                    FieldPanel("title"),
                    FieldPanel("description"),
                    FieldPanel("kind"),
                    FieldPanel("community"),
                    FieldPanel("owner"),
                ],
                heading=gettext_lazy("Campaign"),
            ),
            MultiFieldPanel(
                [FieldPanel("checklist"), FieldPanel("case_service")],
                heading=gettext_lazy("Checklist"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("recurrence"),
                    FieldPanel("starts_on"),
                    FieldPanel("round_days"),
                    FieldPanel("is_active"),
                ],
                heading=gettext_lazy("Rounds"),
            ),
            MultiFieldPanel(
                [FieldPanel(name) for name in RULE_FIELDS],
                heading=gettext_lazy("Who is targeted"),
            ),
        ]
        return ObjectList(panels, base_form_class=CampaignAdminForm).bind_to_model(Campaign)


campaign_viewset = CampaignViewSet()


# --- pages ---------------------------------------------------------------------------------


class CampaignPageMixin(WagtailAdminTemplateMixin):
    grid_scope = Scope.GRID
    permission = VIEW_TARGET
    header_icon = "list-ul"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            return forbidden(_("You may not see campaigns."))
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return list(self.breadcrumbs_items) + [
            {"url": reverse("anju_campaigns:progress"), "label": _("Campaigns")},
            {"url": "", "label": self.get_page_title()},
        ]


class ProgressView(CampaignPageMixin, TemplateView):
    """Every open round the user may see, per grid; the lagging grids stand out."""

    template_name = "anju_campaigns/admin/progress.html"
    page_title = gettext_lazy("Campaign progress")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        open_rounds = (
            Round.objects.filter(
                status=Round.Status.OPEN, campaign__in=visible_campaigns(user).values("pk")
            )
            .select_related("campaign")
            .order_by("due_on", "pk")
        )
        context["rounds"] = progress(user, open_rounds)
        context["may_build"] = user.has_perm("campaigns.add_campaign")
        context["builder_url"] = reverse(campaign_viewset.get_url_name("index"))
        return context


class CampaignView(CampaignPageMixin, TemplateView):
    template_name = "anju_campaigns/admin/campaign.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.campaign = None

    def get_page_title(self):
        return self.campaign.title if self.campaign else _("Campaign")

    def get(self, request, pk):
        self.campaign = get_object_or_404(visible_campaigns(request.user), pk=pk)
        return self.render_to_response(self.get_context_data(start_form=self._start_form()))

    def _start_form(self, data=None):
        today = timezone.localdate()
        return StartRoundForm(
            data,
            initial={"starts_on": today, "due_on": rounds.due_date(self.campaign, today)},
        )

    def post(self, request, pk):
        """Start a round."""
        self.campaign = get_object_or_404(visible_campaigns(request.user), pk=pk)
        if not may_run(request.user, self.campaign):
            return forbidden(_("Only the committee or whoever runs it starts a round."))
        form = self._start_form(request.POST)
        if form.is_valid():
            try:
                round_ = rounds.start_round(
                    self.campaign, form.cleaned_data["starts_on"], form.cleaned_data["due_on"]
                )
            except (rounds.RoundError, rules.RuleError) as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Round %(number)s started with %(count)s targets.")
                    % {"number": round_.number, "count": round_.targets.count()},
                )
                return redirect("anju_campaigns:campaign", pk=self.campaign.pk)
        return self.render_to_response(self.get_context_data(start_form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        campaign_rounds = self.campaign.rounds.select_related("campaign").order_by("-number")[:12]
        context["campaign"] = self.campaign
        context["rounds"] = progress(user, campaign_rounds)
        context["may_run"] = may_run(user, self.campaign)
        context["may_export"] = user.has_perm(EXPORT)
        context["may_edit"] = user.has_perm("campaigns.change_campaign")
        context["edit_url"] = reverse(
            campaign_viewset.get_url_name("edit"), args=[self.campaign.pk]
        )
        return context


class RoundActionView(CampaignPageMixin, View):
    """POST: refresh or close a round."""

    action = "refresh"

    def post(self, request, pk):
        round_ = get_object_or_404(
            Round.objects.filter(campaign__in=visible_campaigns(request.user).values("pk")), pk=pk
        )
        if not may_run(request.user, round_.campaign):
            return forbidden(_("Only the committee or whoever runs it changes a round."))
        if self.action == "refresh":
            try:
                counts = rounds.refresh_round(round_)
            except rounds.RoundError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("List refreshed: %(added)s added, %(removed)s no longer targeted.") % counts,
                )
        else:
            rounds.close_round(round_)
            messages.success(request, _("Round closed."))
        return redirect("anju_campaigns:campaign", pk=round_.campaign_id)


class TargetListView(CampaignPageMixin, TemplateView):
    """A round's targets the user may see, per page, with bulk reassignment."""

    template_name = "anju_campaigns/admin/targets.html"
    per_page = 100

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.round = None

    def get_page_title(self):
        return str(self.round) if self.round else _("Targets")

    def _round(self, pk):
        return get_object_or_404(
            Round.objects.filter(
                campaign__in=visible_campaigns(self.request.user).values("pk")
            ).select_related("campaign"),
            pk=pk,
        )

    def _targets(self):
        targets = visible_targets(self.request.user).filter(round=self.round)
        grid = self.request.GET.get("grid")
        if grid and grid.isdigit():
            targets = targets.filter(grid_id=int(grid))
        outcome = self.request.GET.get("outcome")
        if outcome:
            targets = targets.filter(outcome=outcome)
        return targets.select_related("assignee").walking_order()

    def get(self, request, pk):
        self.round = self._round(pk)
        return self.render_to_response(self.get_context_data(form=ReassignForm()))

    def post(self, request, pk):
        self.round = self._round(pk)
        if not request.user.has_perm(REASSIGN):
            return forbidden(_("Only the committee reassigns targets."))
        form = ReassignForm(request.POST)
        ids = [int(v) for v in request.POST.getlist("target") if v.isdigit()]
        if form.is_valid() and ids:
            chosen = visible_targets(request.user).filter(round=self.round, pk__in=ids)
            count = rounds.reassign(chosen, form.cleaned_data["assignee"])
            messages.success(request, _("%(count)s target(s) reassigned.") % {"count": count})
            return redirect(request.get_full_path())
        messages.error(request, _("Choose targets and the person to give them to."))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(self._targets(), self.per_page)
        context["page"] = paginator.get_page(self.request.GET.get("p"))
        context["round"] = self.round
        context["may_reassign"] = self.request.user.has_perm(REASSIGN)
        return context


class ExportView(CampaignPageMixin, View):
    permission = EXPORT

    def get(self, request, pk):
        round_ = get_object_or_404(
            Round.objects.filter(
                campaign__in=visible_campaigns(request.user).values("pk")
            ).select_related("campaign"),
            pk=pk,
        )
        targets = visible_targets(request.user).filter(round=round_)
        return exports.outcomes_response(round_, targets, request.user, request)


class DueListView(CampaignPageMixin, TemplateView):
    """The grid worker's list for the day: households in walking order, what each owes.
    The committee may look at one worker's list (``?worker=``) or one grid's."""

    template_name = "anju_campaigns/admin/due.html"
    page_title = gettext_lazy("My due list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        grid = worker = None
        grid_id = self.request.GET.get("grid", "")
        if grid_id.isdigit():
            grid = Grid.objects.filter(pk=int(grid_id)).first()
        worker_id = self.request.GET.get("worker", "")
        if worker_id.isdigit() and user.has_perm(REASSIGN):
            worker = get_user_model().objects.filter(pk=int(worker_id)).first()
        households = due_list(user, grid=grid, worker=worker)
        context["households"] = households
        context["count"] = sum(len(h.entries) for h in households)
        return context


class AnswerView(CampaignPageMixin, TemplateView):
    """One target: its earlier answers (each read under its own checklist version) and,
    while its round is open, the checklist to answer — phone-sized."""

    template_name = "anju_campaigns/admin/answer.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.target = None

    def get_page_title(self):
        return str(self.target) if self.target else _("Answer")

    def _target(self, pk):
        return get_object_or_404(
            visible_targets(self.request.user).select_related(
                "round__campaign__checklist__current_version",
                "round__campaign__case_service",
                "household",
                "assignee",
            ),
            pk=pk,
        )

    def _forms(self, data=None, files=None):
        campaign = self.target.round.campaign
        user = self.request.user
        checklist = None
        self.version = None
        if campaign.checklist_id:
            self.version = campaign.checklist.current_version or campaign.checklist.snapshot()
            checklist = build_form_class(self.version.fields, user)(data, files, prefix="c")
        case_form = None
        if campaign.case_service_id:
            case_form = service_form_class(campaign.case_service, user)(data, files, prefix="case")
        return AnswerForm(data, prefix="a"), checklist, case_form

    def get(self, request, pk):
        self.target = self._target(pk)
        answer_form, checklist, case_form = self._forms()
        return self.render_to_response(
            self.get_context_data(answer_form=answer_form, checklist=checklist, case_form=case_form)
        )

    def post(self, request, pk):
        self.target = self._target(pk)
        if "take_over" in request.POST:
            return self._take_over(request)
        if not may_answer(request.user, self.target):
            return forbidden(_("You may not answer for this household."))
        answer_form, checklist, case_form = self._forms(request.POST, request.FILES)
        valid = answer_form.is_valid()
        outcome = answer_form.cleaned_data.get("outcome") if valid else None
        # The checklist is asked only when the household was reached.
        reached = outcome in ("done", "follow_up")
        if checklist is not None and reached:
            valid = checklist.is_valid() and valid
        opening = valid and answer_form.cleaned_data.get("open_case")
        if opening:
            if case_form is None:
                answer_form.add_error("open_case", _("This campaign opens no cases."))
                valid = False
            else:
                valid = case_form.is_valid() and valid
        if valid:
            try:
                record_answer(
                    self.target,
                    request.user,
                    outcome=outcome,
                    data=checklist.cleaned_data if (checklist is not None and reached) else {},
                    version=self.version,
                    note=answer_form.cleaned_data.get("note", ""),
                    record_visit=answer_form.cleaned_data.get("record_visit", False),
                    case_form=case_form if opening else None,
                )
            except (AnswerError, ValidationError) as error:
                answer_form.add_error(None, str(getattr(error, "message", error)))
            else:
                messages.success(
                    request, _("Answer saved for %(address)s.") % {"address": self.target.address}
                )
                return redirect("anju_campaigns:due")
        messages.error(request, _("The answer was not saved: see the errors below."))
        context = self.get_context_data(
            answer_form=answer_form, checklist=checklist, case_form=case_form
        )
        return self.render_to_response(context, status=400)

    def _take_over(self, request):
        """A member of the grid's "3个1" team (not a representative) takes the target."""
        user = request.user
        team = (
            self.target.grid_id
            and self.target.grid.team.filter(user=user).exclude(role="resident_rep").exists()
        )
        if not (team and user.has_perm("campaigns.add_targetanswer")) and not user.has_perm(
            REASSIGN
        ):
            return forbidden(_("Only the grid's team may take this over."))
        rounds.reassign(Target.objects.filter(pk=self.target.pk), user)
        messages.success(request, _("You now hold this household for this campaign."))
        return redirect("anju_campaigns:answer", pk=self.target.pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        target = self.target
        context["target"] = target
        context["campaign"] = target.round.campaign
        context["answers"] = list(
            target.answers.select_related("version", "answered_by", "case", "visit").order_by(
                "-answered_at", "-pk"
            )
        )
        context["refusal"] = refusal(target)
        context["may_answer"] = may_answer(self.request.user, target)
        context["may_take_over"] = (
            target.assignee_id != self.request.user.pk
            and self.request.user.has_perm("campaigns.add_targetanswer")
        )
        return context


# --- URLs and menu ---------------------------------------------------------------------


def urlpatterns():
    patterns = [
        path("", ProgressView.as_view(), name="progress"),
        path("due/", DueListView.as_view(), name="due"),
        path("<int:pk>/", CampaignView.as_view(), name="campaign"),
        path("rounds/<int:pk>/targets/", TargetListView.as_view(), name="targets"),
        path("rounds/<int:pk>/refresh/", RoundActionView.as_view(action="refresh"), name="refresh"),
        path("rounds/<int:pk>/close/", RoundActionView.as_view(action="close"), name="close"),
        path("rounds/<int:pk>/export/", ExportView.as_view(), name="export"),
        path("targets/<int:pk>/", AnswerView.as_view(), name="answer"),
    ]
    return [path("campaigns/", include((patterns, "anju_campaigns")))]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


def menu_items():
    from django.urls import reverse_lazy

    return [
        PermissionMenuItem(
            gettext_lazy("My due list"),
            reverse_lazy("anju_campaigns:due"),
            name="campaigns-due",
            icon_name="list-ul",
            order=100,
            permission="campaigns.add_targetanswer",
        ),
        PermissionMenuItem(
            gettext_lazy("Progress"),
            reverse_lazy("anju_campaigns:progress"),
            name="campaigns-progress",
            icon_name="table",
            order=200,
            permission=VIEW_TARGET,
        ),
        PermissionMenuItem(
            gettext_lazy("Campaigns"),
            reverse_lazy(campaign_viewset.get_url_name("index")),
            name="campaigns-builder",
            icon_name="form",
            order=300,
            permission=VIEW_CAMPAIGN,
        ),
    ]
