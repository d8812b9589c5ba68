"""The case inbox (/admin/cases/): tabs, filters, SLA colours, bulk assignment and the
spreadsheet export of the same list."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from anju.permissions.scope import visible_grids

from .. import exports, workflow
from ..models import (
    OPEN_STATUSES,
    Case,
    Level,
    Service,
    Status,
    overdue_q,
)
from ..submission import format_reference
from ..visibility import visible_cases
from .common import (
    ASSIGN_CASE,
    EXPORT_CASE,
    FILE_ON_BEHALF,
    PAGE_SIZE,
    SLA_LABELS,
    CaseAdminMixin,
    UserChoiceField,
    assignee_choices,
    person,
    safe_next,
)

# --- the inbox ------------------------------------------------------------------------


TABS = (
    ("mine", gettext_lazy("Assigned to me")),
    ("grids", gettext_lazy("My grids")),
    ("escalated", gettext_lazy("Escalated to the community")),
    ("overdue", gettext_lazy("Overdue")),
    ("all", gettext_lazy("All")),
)
TAB_CODES = {code for code, _label in TABS}


def tab_q(tab: str, user, now) -> Q:
    if tab == "mine":
        # Still needs them: open, or resolved and waiting for its follow-up.
        return Q(assignee=user) & ~Q(status__in=(Status.CLOSED, Status.REJECTED))
    if tab == "grids":
        return Q(grid__in=visible_grids(user).values("pk"))
    if tab == "escalated":
        return Q(level=Level.COMMUNITY, status__in=OPEN_STATUSES)
    if tab == "overdue":
        return overdue_q(now)
    return Q()


def default_tab(user) -> str:
    """People who handle cases start with theirs; readers, and partner organisations'
    staff (whose cases are handed over, not assigned), start with everything."""
    from anju.permissions.partners import partner_organisations_of

    if not user.has_perm("services.change_case") or user.is_superuser:
        return "all"
    return "all" if partner_organisations_of(user).exists() else "mine"


class CaseFilterForm(forms.Form):
    """The inbox's filters (a GET form). The menus list only what the user may see."""

    q = forms.CharField(label=gettext_lazy("Reference, name or last 4 digits"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status"))] + list(Status.choices),
    )
    service = forms.ModelChoiceField(
        label=gettext_lazy("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=gettext_lazy("Any service"),
    )
    grid = forms.ModelChoiceField(
        label=gettext_lazy("Grid"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=gettext_lazy("Any grid"),
    )
    assignee = UserChoiceField(
        label=gettext_lazy("Assignee"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=gettext_lazy("Anyone"),
    )
    filed_from = forms.DateField(
        label=gettext_lazy("Filed from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    filed_to = forms.DateField(
        label=gettext_lazy("Filed to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    on_behalf = forms.ChoiceField(
        label=gettext_lazy("Filed by"),
        required=False,
        choices=[
            ("", gettext_lazy("Anyone")),
            ("yes", gettext_lazy("Staff, on the resident's behalf")),
            ("no", gettext_lazy("The resident")),
        ],
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        visible = visible_cases(user)
        self.fields["service"].queryset = Service.objects.filter(
            pk__in=visible.values("service_id")
        ).order_by("title")
        self.fields["grid"].queryset = visible_grids(user).order_by("community_id", "number")
        self.fields["assignee"].queryset = (
            get_user_model()
            .objects.filter(pk__in=visible.filter(assignee__isnull=False).values("assignee_id"))
            .order_by("username")
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("filed_from"), cleaned.get("filed_to")
        if start and end and start > end:
            self.add_error("filed_to", _("The end date is before the start date."))
        return cleaned

    def apply(self, queryset):
        """Narrow ``queryset`` by every filter that is valid (an invalid one is shown
        with its error and ignored, so the list never goes blank on a typo)."""
        from ..figures import in_period

        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        text = (data.get("q") or "").strip()
        if text:
            digits = "".join(ch for ch in text if ch.isdigit())
            q = Q(requester_name__icontains=text)
            if digits:
                q |= Q(reference__contains=digits)
                if len(digits) == 4:
                    q |= Q(phone_last4=digits)
            queryset = queryset.filter(q)
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        for name in ("service", "grid", "assignee"):
            if data.get(name) is not None:
                queryset = queryset.filter(**{name: data[name]})
        if data.get("filed_from") or data.get("filed_to"):
            queryset = in_period(queryset, data.get("filed_from"), data.get("filed_to"))
        if data.get("on_behalf") in ("yes", "no"):
            queryset = queryset.filter(on_behalf=data["on_behalf"] == "yes")
        return queryset


def inbox_queryset(request):
    """The cases the inbox (and its export) shows for this request: visible cases,
    filtered, in the chosen tab. Returns (queryset, filter form, tab, base queryset)."""
    user = request.user
    form = CaseFilterForm(request.GET or None, user=user)
    base = form.apply(visible_cases(user))
    tab = request.GET.get("tab")
    if tab not in TAB_CODES:
        tab = default_tab(user)
    now = timezone.now()
    cases = base.filter(tab_q(tab, user, now)) if tab != "overdue" else base.overdue(now)
    return cases.for_lists().order_by("-created_at", "-pk"), form, tab, base


def _query_without(request, *names) -> str:
    params = [(k, v) for k, v in request.GET.lists() for v in v if k not in names]
    return urlencode(params)


def _row(case, now) -> dict:
    sla = case.sla_state(now)
    return {"case": case, "sla": sla, "sla_label": SLA_LABELS[sla]}


class CaseInboxView(CaseAdminMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "anju_services/admin/inbox.html"
    is_inbox = True
    page_title = gettext_lazy("Cases")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        user = request.user
        cases, form, tab, base = inbox_queryset(request)
        now = timezone.now()
        counts = base.aggregate(
            **{code: Count("pk", filter=tab_q(code, user, now)) for code, _label in TABS}
        )
        page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("p"))
        keep = _query_without(request, "tab", "p")
        context.update(
            form=form,
            tab=tab,
            tabs=[
                {
                    "code": code,
                    "label": label,
                    "count": counts[code],
                    "url": "?" + urlencode([("tab", code)]) + (f"&{keep}" if keep else ""),
                }
                for code, label in TABS
            ],
            page_obj=page,
            rows=[_row(case, now) for case in page],
            page_query=_query_without(request, "p"),
            export_url=(
                reverse("anju_cases_export")
                + "?"
                + _query_without(request, "p", "tab")
                + f"&tab={tab}"
                if user.has_perm(EXPORT_CASE)
                else None
            ),
            can_assign=user.has_perm(ASSIGN_CASE),
            can_file=user.has_perm(FILE_ON_BEHALF),
            next_url=request.get_full_path(),
        )
        if context["can_assign"]:
            context["assignees"] = list(assignee_choices(user))
        return context


class CaseExportView(CaseAdminMixin, View):
    """The inbox's list, with its filters and tab, as an .xlsx file."""

    permission = EXPORT_CASE

    def get(self, request):
        cases, _form, _tab, _base = inbox_queryset(request)
        return exports.export_response(request, cases)


class BulkAssignView(CaseAdminMixin, View):
    """Assign the ticked cases to one person, case by case through the workflow: a case
    that cannot go to them is reported by its reference number, the others are done."""

    permission = ASSIGN_CASE
    http_method_names = ["post"]

    def post(self, request):
        user = request.user
        back = safe_next(request, reverse("anju_cases"))
        ids = sorted({int(v) for v in request.POST.getlist("case") if v.isdigit()})
        if not ids:
            messages.error(request, _("Tick the cases to assign first."))
            return redirect(back)
        raw = request.POST.get("assignee", "")
        assignee = assignee_choices(user).filter(pk=raw).first() if raw.isdigit() else None
        if assignee is None:
            messages.error(request, _("Choose someone who can handle cases to assign them to."))
            return redirect(back)
        cases = list(visible_cases(user, Case.objects.select_related("service").filter(pk__in=ids)))
        missing = len(ids) - len(cases)
        if missing:
            messages.error(
                request,
                ngettext(
                    "%(count)d case was not found.", "%(count)d cases were not found.", missing
                )
                % {"count": missing},
            )
        done = 0
        for case in cases:
            try:
                workflow.assign(case, assignee, user)
            except workflow.WorkflowError as error:
                messages.error(
                    request,
                    _("%(reference)s: %(reason)s")
                    % {"reference": format_reference(case.reference), "reason": error.message},
                )
            else:
                done += 1
        if done:
            messages.success(
                request,
                ngettext(
                    "%(count)d case assigned to %(name)s.",
                    "%(count)d cases assigned to %(name)s.",
                    done,
                )
                % {"count": done, "name": person(assignee)},
            )
        return redirect(back)
