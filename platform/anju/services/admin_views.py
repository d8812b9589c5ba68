"""The staff side of the services engine in the Wagtail admin.

- the service builder (low-code forms): a ModelViewSet over ``Service`` and its fields;
  every save snapshots the fields into a new ``FormVersion`` when they changed, so cases
  filed earlier keep reading as they were filed;
- the case inbox (/admin/cases/): tabs, filters, SLA colours, bulk assignment, export;
- the case page: answers, attachments, the whole timeline, and the actions the workflow
  allows;
- filing on a resident's behalf (代办), and the figures page.

Why it is built this way:

- every list, page, download and export starts from ``visibility.visible_cases`` — the
  one rule of who sees which case — so a case outside the user's grids is a 404 here as
  it is in the API, and never a row in a spreadsheet;
- every change goes through ``anju.services.workflow``; this module only turns its
  ``WorkflowError`` (and upload ``ValidationError``) into a message on the page, re-shown
  with what the user typed and a 400, never a 500 and never a half-saved case;
- roles that may read but not act (resident representatives) see no action forms, and
  a POST from them is a plain 403;
- each view declares its grid scope (anju.permissions.urlscope): cases are filtered per
  grid, so grid workers may come in; services hold no grid data.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, ProtectedError, Q
from django.http import FileResponse, Http404, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet

from anju.community.models import Community, GridTeamMember, Household, TeamRole
from anju.permissions.scope import scope_queryset, visible_grids
from anju.permissions.urlscope import Scope, ScopedViewSetMixin

from . import consent, exports, workflow
from .fieldtypes import FieldType, HouseholdField, UploadField, household_queryset
from .forms import RequesterForm, service_form_class
from .models import (
    OPEN_STATUSES,
    Case,
    CaseAttachment,
    HandlerRole,
    Level,
    Service,
    Status,
)
from .submission import Requester, format_reference, submit
from .visibility import visible_cases

VIEW_CASE = "services.view_case"
ASSIGN_CASE = "services.assign_case"
EXPORT_CASE = "services.export_case"
FILE_ON_BEHALF = "services.file_on_behalf"
VIEW_SERVICE = "services.view_service"
PAGE_SIZE = 50


def forbidden(message=None) -> HttpResponseForbidden:
    """A plain 403. Wagtail would turn a PermissionDenied into a redirect to the
    dashboard; a refused action should say so, and tests can tell it from a success."""
    return HttpResponseForbidden(str(message or _("You may not do this.")))


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person(obj)


# --- which services a user works with -------------------------------------------------


def services_for(user):
    """Services offered in a community the user works in, and those offered everywhere
    (no community). Service staff also see the services their role handles."""
    queryset = Service.objects.all()
    if user.is_superuser:
        return queryset
    communities = scope_queryset(Community.objects.all(), user).values("pk")
    q = Q(community__isnull=True) | Q(community__in=communities)
    if user.has_perm("services.handle_service_staff_cases"):
        q |= Q(handler_role=HandlerRole.SERVICE_STAFF)
    return queryset.filter(q)


def assignee_choices(user):
    """Who the bulk-assign menu offers: the grid teams (not resident representatives)
    of the user's grids and service staff. ``workflow.assign`` still checks each case,
    so a person who cannot hold one of the chosen cases is reported, not assigned."""
    from anju.permissions.roles import SERVICE_STAFF

    seats = GridTeamMember.objects.filter(grid__in=visible_grids(user).values("pk")).exclude(
        role=TeamRole.RESIDENT_REP
    )
    return (
        get_user_model()
        .objects.filter(Q(pk__in=seats.values("user_id")) | Q(groups__name=SERVICE_STAFF.name))
        .filter(is_active=True)
        .distinct()
        .order_by("username")
    )


# --- the service builder --------------------------------------------------------------


class ServiceAdminForm(WagtailAdminModelForm):
    """The builder's form: the community menu lists only the user's communities, and a
    choice field must come with its choices (a form a resident cannot answer would
    otherwise be published)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("community")
        user = self.for_user
        if field is not None and not (user is not None and user.is_superuser):
            field.queryset = (
                scope_queryset(Community.objects.all(), user)
                if user is not None
                else Community.objects.none()
            )

    def clean(self):
        cleaned = super().clean()
        formset = getattr(self, "formsets", {}).get("form_fields")
        if formset is not None:
            formset.is_valid()  # runs each field form's own validation first
            for form in formset.forms:
                data = getattr(form, "cleaned_data", None) or {}
                if not data or data.get("DELETE"):
                    continue
                kind = data.get("field_type")
                choices = [c for c in (data.get("choices") or "").splitlines() if c.strip()]
                if kind in (FieldType.CHOICE, FieldType.MULTIPLE_CHOICE) and not choices:
                    form.add_error("choices", _("List the choices, one per line."))
        return cleaned


#: What may change on a plugin's code-defined form: only how its cases are handled.
CODE_PANELS = [
    MultiFieldPanel(
        [
            FieldPanel("community"),
            FieldPanel("handler_role"),
            FieldPanel("accept_hours"),
            FieldPanel("resolve_hours"),
            FieldPanel("allow_anonymous"),
            FieldPanel("is_active"),
        ],
        heading=gettext_lazy("Handling"),
    )
]


class _ServiceQuerysetMixin:
    def get_object_queryset(self):
        return services_for(self.request.user)

    def get_object(self, queryset=None):
        # Fetched once per request (the edit view needs it to choose its panel).
        if getattr(self, "_service", None) is None:
            pk = unquote(str(self.kwargs[self.pk_url_kwarg]))
            self._service = get_object_or_404(self.get_object_queryset(), pk=pk)
        return self._service


class _SnapshotMixin:
    """After every save of a built form, freeze its fields as a version if they changed:
    cases filed earlier point at their own version and keep their labels."""

    def save_instance(self):
        instance = super().save_instance()
        if instance.kind == Service.Kind.BUILT:
            instance.snapshot(user=self.request.user)
        return instance


class ServiceIndexView(generic.IndexView):
    def get_base_queryset(self):
        return services_for(self.request.user).select_related("community", "current_version")


class ServiceCreateView(_SnapshotMixin, generic.CreateView):
    pass


class ServiceEditView(_ServiceQuerysetMixin, _SnapshotMixin, generic.EditView):
    def get_panel(self):
        """A plugin's form is its code: staff may change only its handling."""
        service = self.get_object()
        if service.kind == Service.Kind.CODE:
            return ObjectList(CODE_PANELS, base_form_class=ServiceAdminForm).bind_to_model(Service)
        return super().get_panel()

    def get_form_class(self):
        # The viewset hands every edit view the full form class; a plugin's form takes
        # the handling-only one of its panel instead.
        if self.get_object().kind == Service.Kind.CODE:
            return self.panel.get_form_class()
        return super().get_form_class()


class ServiceDeleteView(_ServiceQuerysetMixin, generic.DeleteView):
    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _(
                    "“%(service)s” has cases or a portal page and cannot be deleted. "
                    "Close it for requests instead."
                )
                % {"service": self.object},
            )
            return redirect(reverse(self.index_url_name))


class ServiceInspectView(_ServiceQuerysetMixin, generic.InspectView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form_fields"] = list(self.object.form_fields.all())
        return context


class ServiceViewSet(ScopedViewSetMixin, ModelViewSet):
    """The builder. Committee members make and change forms; grid workers and service
    staff may read them. Services hold no grid data."""

    model = Service
    grid_scope = Scope.NO_GRID_DATA
    name = "anju_service_forms"
    url_prefix = "service-forms"
    icon = "form"
    add_to_admin_menu = False  # in the "Cases" menu (wagtail_hooks)
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    search_backend_name = None
    search_fields = ["title", "slug"]
    list_per_page = 50
    index_view_class = ServiceIndexView
    add_view_class = ServiceCreateView
    edit_view_class = ServiceEditView
    delete_view_class = ServiceDeleteView
    inspect_view_class = ServiceInspectView
    inspect_template_name = "anju_services/admin/service_inspect.html"
    list_display = [
        "title",
        Column("kind", label=gettext_lazy("Kind"), accessor="get_kind_display"),
        Column("community", label=gettext_lazy("Community")),
        Column(
            "handler_role", label=gettext_lazy("Handled by"), accessor="get_handler_role_display"
        ),
        Column("current_version", label=gettext_lazy("Version"), accessor="current_version.number"),
        BooleanColumn("is_active", label=gettext_lazy("Open for requests")),
    ]
    list_filter = ["kind", "is_active", "handler_role"]
    inspect_view_fields = [
        "title",
        "slug",
        "description",
        "kind",
        "plugin",
        "community",
        "handler_role",
        "accept_hours",
        "resolve_hours",
        "allow_anonymous",
        "is_active",
    ]

    def get_edit_handler(self):
        return ObjectList(Service.panels, base_form_class=ServiceAdminForm).bind_to_model(Service)


service_viewset = ServiceViewSet()


# --- the inbox ------------------------------------------------------------------------


TABS = (
    ("mine", gettext_lazy("Assigned to me")),
    ("grids", gettext_lazy("My grids")),
    ("escalated", gettext_lazy("Escalated to the community")),
    ("overdue", gettext_lazy("Overdue")),
    ("all", gettext_lazy("All")),
)
TAB_CODES = {code for code, _label in TABS}
SLA_LABELS = {
    "overdue": gettext_lazy("Overdue"),
    "due_soon": gettext_lazy("Due soon"),
    "ok": gettext_lazy("On time"),
    "done": gettext_lazy("Done"),
}


def _overdue_q(now) -> Q:
    """The same rule as ``CaseQuerySet.overdue``, as a Q so one query can count it."""
    return Q(status=Status.SUBMITTED, accept_due__lt=now) | Q(
        status__in=OPEN_STATUSES, resolve_due__lt=now
    )


def tab_q(tab: str, user, now) -> Q:
    if tab == "mine":
        # Still needs them: open, or resolved and waiting for its follow-up.
        return Q(assignee=user) & ~Q(status__in=(Status.CLOSED, Status.REJECTED))
    if tab == "grids":
        return Q(grid__in=visible_grids(user).values("pk"))
    if tab == "escalated":
        return Q(level=Level.COMMUNITY, status__in=OPEN_STATUSES)
    if tab == "overdue":
        return _overdue_q(now)
    return Q()


def default_tab(user) -> str:
    """People who handle cases start with theirs; readers start with everything."""
    return "mine" if user.has_perm("services.change_case") and not user.is_superuser else "all"


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
        from .figures import in_period

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


class CaseAdminMixin:
    """Every case view: grid-scoped, and only for people who may see cases at all."""

    grid_scope = Scope.GRID
    permission = VIEW_CASE
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            return forbidden(_("You may not see cases."))
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = list(self.breadcrumbs_items)
        if self.__class__ is not CaseInboxView:
            items.append({"url": reverse("anju_cases"), "label": _("Cases")})
        return items + [{"url": "", "label": self.get_page_title()}]


def _query_without(request, *names) -> str:
    params = [(k, v) for k, v in request.GET.lists() for v in v if k not in names]
    return urlencode(params)


def _row(case, now) -> dict:
    sla = case.sla_state(now)
    return {"case": case, "sla": sla, "sla_label": SLA_LABELS[sla]}


class CaseInboxView(CaseAdminMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "anju_services/admin/inbox.html"
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


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class BulkAssignView(CaseAdminMixin, View):
    """Assign the ticked cases to one person, case by case through the workflow: a case
    that cannot go to them is reported by its reference number, the others are done."""

    permission = ASSIGN_CASE
    http_method_names = ["post"]

    def post(self, request):
        user = request.user
        back = _safe_next(request, reverse("anju_cases"))
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


# --- one case -------------------------------------------------------------------------


def get_case(request, pk):
    """The case if the user may see it, else 404 — the same answer whether it exists
    elsewhere or not at all."""
    queryset = visible_cases(
        request.user,
        Case.objects.for_lists().select_related("version", "filed_by", "requester_user"),
    )
    return get_object_or_404(queryset, pk=pk)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("Note (staff only)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("When escalating: why the community should take it."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason (the resident is told)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("to") == Status.REJECTED and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the request is rejected."))
        return cleaned


class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    public = forms.BooleanField(
        label=gettext_lazy("Visible to the resident"),
        required=False,
        help_text=gettext_lazy("Otherwise a note only staff see."),
    )
    file = UploadField(label=gettext_lazy("Attach a file"), required=False)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("text") or "").strip() and not cleaned.get("file") and not self.errors:
            raise ValidationError(_("Write something or attach a file."))
        return cleaned


class AssignForm(forms.Form):
    assignee = UserChoiceField(
        label=gettext_lazy("Assign to"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=gettext_lazy("Nobody"),
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = workflow.eligible_assignees(case)
        if not self.is_bound:
            self.initial["assignee"] = case.assignee_id


class FollowUpForm(forms.Form):
    settled = forms.TypedChoiceField(
        label=gettext_lazy("Is the matter settled, says the resident?"),
        choices=[("yes", gettext_lazy("Yes, settled")), ("no", gettext_lazy("No, not yet"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    satisfaction = forms.TypedChoiceField(
        label=gettext_lazy("Satisfaction"),
        choices=[("", "—")] + [(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=gettext_lazy("1 (very unhappy) to 5 (very satisfied)."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CaseDetailView(CaseAdminMixin, WagtailAdminTemplateMixin, TemplateView):
    """GET shows the case; the action views below re-render it with their bound form
    and a 400 when something is wrong, so nothing typed is lost."""

    template_name = "anju_services/admin/case_detail.html"

    def get(self, request, pk):
        self.case = get_case(request, pk)
        return super().get(request)

    def get_page_title(self):
        return _("Case %(reference)s") % {"reference": format_reference(self.case.reference)}

    def get_page_subtitle(self):
        return self.case.service.title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.case
        user = self.request.user
        may_work = workflow.may_work_on(user, case)
        may_assign = workflow.may_assign(user, case)
        targets = []
        if may_work:
            for status in Status:
                if status in workflow.allowed_targets(case) and status in workflow.ACTION_LABELS:
                    targets.append({"value": status.value, "label": workflow.ACTION_LABELS[status]})
        context.update(
            case=case,
            reference=format_reference(case.reference),
            sla=case.sla_state(),
            sla_label=SLA_LABELS[case.sla_state()],
            answers=case.answers,
            events=list(case.events.select_related("actor").order_by("created_at", "pk")),
            attachments=list(case.attachments.select_related("uploaded_by")),
            may_work=may_work,
            may_assign=may_assign and case.is_open,
            targets=[t for t in targets if t["value"] != Status.REJECTED],
            can_reject=any(t["value"] == Status.REJECTED for t in targets),
            show_follow_up=may_work and case.status == Status.RESOLVED,
        )
        context.setdefault("transition_form", TransitionForm())
        context.setdefault("reject_form", TransitionForm(initial={"to": Status.REJECTED}))
        context.setdefault("comment_form", CommentForm())
        context.setdefault("follow_up_form", FollowUpForm())
        if context["may_assign"]:
            context.setdefault("assign_form", AssignForm(case=case))
        return context


class CaseActionView(CaseDetailView):
    """POST-only: one workflow action on a case (``action`` is set in the URL conf).
    Success redirects to the case page; failure shows it again with the errors."""

    http_method_names = ["post"]
    action = ""

    def post(self, request, pk):
        self.case = get_case(request, pk)
        if self.action == "assign":
            if not workflow.may_assign(request.user, self.case):
                return forbidden(_("You may not assign this case."))
        elif not workflow.may_work_on(request.user, self.case):
            return forbidden(_("You may not change this case."))
        return getattr(self, "do_" + self.action.replace("-", "_"))(request, self.case)

    def done(self, message):
        messages.success(self.request, message)
        return redirect("anju_case", pk=self.case.pk)

    def failed(self, error_message=None, **forms_):
        """Show the case again, with the bound form and its errors, status 400."""
        self.case = get_case(self.request, self.case.pk)  # as it is now in the database
        messages.error(
            self.request, error_message or _("The change was not made: see the errors below.")
        )
        context = self.get_context_data(**forms_)
        return self.render_to_response(context, status=400)

    def do_transition(self, request, case):
        form = TransitionForm(request.POST)
        form_name = (
            "reject_form" if request.POST.get("to") == Status.REJECTED else "transition_form"
        )
        if not form.is_valid():
            return self.failed(**{form_name: form})
        to = form.cleaned_data["to"]
        try:
            workflow.transition(
                case,
                to,
                request.user,
                note=form.cleaned_data["note"],
                reason=form.cleaned_data["reason"],
            )
        except workflow.WorkflowError as error:
            form.add_error(None, error.message)
            return self.failed(error.message, **{form_name: form})
        return self.done(
            _("Case %(reference)s is now “%(status)s”.")
            % {"reference": format_reference(case.reference), "status": case.get_status_display()}
        )

    def do_comment(self, request, case):
        form = CommentForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.failed(comment_form=form)
        upload = form.cleaned_data.get("file")
        try:
            workflow.comment(
                case,
                request.user,
                form.cleaned_data["text"],
                public=form.cleaned_data["public"],
                files=[upload] if upload else (),
            )
        except workflow.WorkflowError as error:
            form.add_error(None, error.message)
            return self.failed(error.message, comment_form=form)
        except ValidationError as error:
            form.add_error("file", error)
            return self.failed(comment_form=form)
        if form.cleaned_data["public"]:
            return self.done(_("Reply sent to the resident."))
        return self.done(_("Note added."))

    def do_assign(self, request, case):
        form = AssignForm(request.POST, case=case)
        if not form.is_valid():
            return self.failed(assign_form=form)
        assignee = form.cleaned_data["assignee"]
        try:
            workflow.assign(case, assignee, request.user)
        except workflow.WorkflowError as error:
            form.add_error(None, error.message)
            return self.failed(error.message, assign_form=form)
        if assignee is None:
            return self.done(_("The case is now assigned to nobody."))
        return self.done(_("Assigned to %(name)s.") % {"name": person(assignee)})

    def do_follow_up(self, request, case):
        form = FollowUpForm(request.POST)
        if not form.is_valid():
            return self.failed(follow_up_form=form)
        try:
            workflow.follow_up(
                case,
                request.user,
                settled=form.cleaned_data["settled"],
                satisfaction=form.cleaned_data["satisfaction"],
                note=form.cleaned_data["note"],
            )
        except workflow.WorkflowError as error:
            form.add_error(None, error.message)
            return self.failed(error.message, follow_up_form=form)
        if form.cleaned_data["settled"]:
            return self.done(_("Follow-up recorded; the case is closed."))
        return self.done(_("Follow-up recorded; the case is back in progress."))


class AttachmentDownloadView(CaseAdminMixin, View):
    """An attachment of a case the user may see, as a download (never shown inline:
    it came from outside)."""

    def get(self, request, pk, attachment_pk):
        case = get_case(request, pk)
        attachment = get_object_or_404(CaseAttachment, pk=attachment_pk, case=case)
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, ValueError):
            raise Http404 from None
        response = FileResponse(handle, as_attachment=True, filename=attachment.name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


# --- filing on a resident's behalf (代办) ----------------------------------------------


def on_behalf_services(user):
    """Built forms open for requests in the user's communities. Plugins' code-defined
    forms are filed on their own pages (their forms may need the plugin's context)."""
    return services_for(user).filter(is_active=True, kind=Service.Kind.BUILT).order_by("title")


class BehalfHouseholdField(HouseholdField):
    def label_from_instance(self, obj):
        return f"{obj.building.grid.name} · {obj.address}"


class HouseholdChoiceForm(forms.Form):
    """Which household the request is for: only households of the user's grids."""

    household = BehalfHouseholdField(
        label=gettext_lazy("Household"), queryset=Household.objects.none()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = (
            household_queryset(user)
            .select_related("building__grid")
            .order_by("building__grid__number", "building__name", "unit", "room")
        )


class FileOnBehalfChooseView(CaseAdminMixin, WagtailAdminTemplateMixin, TemplateView):
    permission = FILE_ON_BEHALF
    template_name = "anju_services/admin/file_choose.html"
    page_title = gettext_lazy("File a request on a resident's behalf")
    header_icon = "edit"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["services"] = on_behalf_services(self.request.user).select_related("community")
        return context


class FileOnBehalfView(CaseAdminMixin, WagtailAdminTemplateMixin, TemplateView):
    """The service's own form, who the resident is and their household; submitted
    through ``submission.submit`` with the staff member as ``filed_by``."""

    permission = FILE_ON_BEHALF
    template_name = "anju_services/admin/file_form.html"
    header_icon = "edit"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.service = None

    def get_page_title(self):
        return _("File on behalf: %(service)s") % {"service": self.service.title}

    def get_breadcrumbs_items(self):
        return list(self.breadcrumbs_items) + [
            {"url": reverse("anju_cases"), "label": _("Cases")},
            {"url": reverse("anju_cases_file"), "label": _("File on behalf")},
            {"url": "", "label": self.service.title},
        ]

    def _service(self, pk):
        return get_object_or_404(on_behalf_services(self.request.user), pk=pk)

    def get(self, request, service_pk):
        self.service = self._service(service_pk)
        form_class = service_form_class(self.service, request.user)
        return self.render_to_response(
            self.get_context_data(
                form=form_class(),
                requester_form=RequesterForm(prefix="requester", on_behalf=True),
                household_form=HouseholdChoiceForm(prefix="behalf", user=request.user),
                consent_form=consent.ConsentForm(prefix="consent"),
            )
        )

    def post(self, request, service_pk):
        self.service = self._service(service_pk)
        user = request.user
        form = service_form_class(self.service, user)(request.POST, request.FILES)
        requester_form = RequesterForm(request.POST, prefix="requester", on_behalf=True)
        household_form = HouseholdChoiceForm(request.POST, prefix="behalf", user=user)
        consent_form = consent.ConsentForm(request.POST, request.FILES, prefix="consent")
        valid = form.is_valid() & requester_form.is_valid() & household_form.is_valid()
        valid = consent_form.is_valid() & valid and consent_form.verify(
            requester_form.cleaned_data["requester_phone"], self.service
        )
        if valid:
            try:
                case, created = submit(
                    self.service,
                    form,
                    requester=Requester(
                        name=requester_form.cleaned_data["requester_name"],
                        phone=requester_form.cleaned_data["requester_phone"],
                    ),
                    household=household_form.cleaned_data["household"],
                    filed_by=user,
                    idempotency_key=requester_form.cleaned_data.get("idempotency_key") or "",
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                reference = format_reference(case.reference)
                if created:
                    consent.record(case, consent_form, user)
                    messages.success(
                        request,
                        _(
                            "Request filed. Its reference number is %(reference)s: "
                            "tell the resident."
                        )
                        % {"reference": reference},
                    )
                else:
                    messages.info(
                        request,
                        _("This request had already been filed as %(reference)s.")
                        % {"reference": reference},
                    )
                return redirect("anju_case", pk=case.pk)
        messages.error(request, _("The request was not filed: see the errors below."))
        context = self.get_context_data(
            form=form,
            requester_form=requester_form,
            household_form=household_form,
            consent_form=consent_form,
        )
        return self.render_to_response(context, status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["service"] = self.service
        context["has_files"] = True  # the consent's signed authorisation may be a photo
        return context


# --- figures --------------------------------------------------------------------------


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", _("The end date is before the start date."))
        return cleaned


def _with_bars(rows: list[dict], key: str = "total") -> list[dict]:
    """Each row with ``bar``: its share of the largest row, in percent, for a CSS bar."""
    top = max((row.get(key) or 0 for row in rows), default=0)
    return [{**row, "bar": round((row.get(key) or 0) * 100 / top) if top else 0} for row in rows]


class FiguresView(CaseAdminMixin, WagtailAdminTemplateMixin, TemplateView):
    """The figures of the cases the user may see, over a period of filing dates."""

    template_name = "anju_services/admin/figures.html"
    page_title = gettext_lazy("Case figures")
    header_icon = "table"

    def get_context_data(self, **kwargs):
        from .figures import compute

        context = super().get_context_data(**kwargs)
        form = PeriodForm(self.request.GET or None)
        start = end = None
        if form.is_bound and form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        figures = compute(visible_cases(self.request.user), start=start, end=end).as_dict()
        share = figures.get("resolved_within_grid_share")
        context.update(
            form=form,
            figures=figures,
            within_grid_percent=round(share * 100) if share is not None else None,
            by_grid=_with_bars(figures.get("by_grid", [])),
            by_service=_with_bars(figures.get("by_service", [])),
            by_month=_with_bars(figures.get("by_month", [])),
        )
        return context


# --- URLs and menu --------------------------------------------------------------------


def urlpatterns():
    return [
        path("cases/", CaseInboxView.as_view(), name="anju_cases"),
        path("cases/export/", CaseExportView.as_view(), name="anju_cases_export"),
        path("cases/assign/", BulkAssignView.as_view(), name="anju_cases_bulk_assign"),
        path("cases/figures/", FiguresView.as_view(), name="anju_cases_figures"),
        path("cases/file/", FileOnBehalfChooseView.as_view(), name="anju_cases_file"),
        path(
            "cases/file/<int:service_pk>/",
            FileOnBehalfView.as_view(),
            name="anju_cases_file_form",
        ),
        path("cases/<int:pk>/", CaseDetailView.as_view(), name="anju_case"),
        path(
            "cases/<int:pk>/transition/",
            CaseActionView.as_view(action="transition"),
            name="anju_case_transition",
        ),
        path(
            "cases/<int:pk>/comment/",
            CaseActionView.as_view(action="comment"),
            name="anju_case_comment",
        ),
        path(
            "cases/<int:pk>/assign/",
            CaseActionView.as_view(action="assign"),
            name="anju_case_assign",
        ),
        path(
            "cases/<int:pk>/follow-up/",
            CaseActionView.as_view(action="follow-up"),
            name="anju_case_follow_up",
        ),
        path(
            "cases/<int:pk>/attachments/<int:attachment_pk>/",
            AttachmentDownloadView.as_view(),
            name="anju_case_attachment",
        ),
    ]


class PermissionMenuItem(MenuItem):
    """A menu entry shown to people holding ``permission``."""

    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


def menu_items():
    from django.urls import reverse_lazy

    return [
        PermissionMenuItem(
            gettext_lazy("Cases inbox"),
            reverse_lazy("anju_cases"),
            name="cases-inbox",
            icon_name="tasks",
            order=100,
            permission=VIEW_CASE,
        ),
        PermissionMenuItem(
            gettext_lazy("Service forms"),
            reverse_lazy(service_viewset.get_url_name("index")),
            name="service-forms",
            icon_name="form",
            order=200,
            permission=VIEW_SERVICE,
        ),
        PermissionMenuItem(
            gettext_lazy("Figures"),
            reverse_lazy("anju_cases_figures"),
            name="cases-figures",
            icon_name="table",
            order=300,
            permission=VIEW_CASE,
        ),
        PermissionMenuItem(
            gettext_lazy("File on behalf"),
            reverse_lazy("anju_cases_file"),
            name="cases-file",
            icon_name="edit",
            order=400,
            permission=FILE_ON_BEHALF,
        ),
    ]
