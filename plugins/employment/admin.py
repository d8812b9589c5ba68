"""The employment station in the Wagtail admin (menu "Employment"):

* Postings and matching — open postings with their interest, each posting's interested
  residents and matching job seekers, and "tell the matching seekers" (SMS);
* Job seekers, Migrant work, Training courses — model viewsets; a seeker's matching
  postings; a course's enrolments, waiting list, attendance and completion;
* Subsidy applications — the cases of the subsidy schemes, filing on a resident's
  behalf, and the county bureau's spreadsheet;
* Figures.

Postings themselves are pages: staff write them in the page explorer and submit them
for moderation. Every view declares its grid scope and filters residents' data with
``access.visible`` (``scope_queryset``, or the station-wide grant of service staff).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from anju.permissions import (
    GridScopedModelViewSet,
    GridScopedPermissionPolicy,
    PermissionMenuItem,
    Scope,
    ScopedCreateView,
    ScopedDeleteView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    ScopedModelForm,
    ScopedViewSetMixin,
    grid_residents,
    use_picker,
)
from anju.services import Status

from . import access, matching, training
from .figures import employment_figures
from .forms import EnrolForm
from .models import (
    Course,
    CourseSession,
    Enrolment,
    Interest,
    JobPostingPage,
    JobSeeker,
    MigrantWork,
    SubsidyScheme,
    open_postings,
)
from .subsidies import applications, export_filename, export_workbook

VIEW_SEEKERS = "employment.view_jobseeker"
NOTIFY = "employment.notify_seekers"
VIEW_ENROLMENTS = "employment.view_enrolment"
CHANGE_ENROLMENTS = "employment.change_enrolment"
EXPORT = "services.export_case"


# --- grid scoping with the station-wide grant ------------------------------------------------


class StationPermissionPolicy(GridScopedPermissionPolicy):
    """Instance checks through ``access.visible`` (grids, or the station-wide grant)."""

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and access.can_see(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return self.user_has_any_permission(user, actions) and access.can_see(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        base = super(GridScopedPermissionPolicy, self).instances_user_has_any_permission_for(
            user, actions
        )
        return access.visible(base, user)


for _model in (JobSeeker, MigrantWork, Enrolment):
    register_permission_policy(_model, StationPermissionPolicy(_model))


class StationScopedMixin:
    def scoped(self, queryset):
        if queryset.model._meta.model_name in access.STATION_MODELS and access.station_wide(
            self.request.user
        ):
            if self.select_related:
                queryset = queryset.select_related(*self.select_related)
            return queryset
        return super().scoped(queryset)


class SeekerIndexView(StationScopedMixin, ScopedIndexView):
    pass


class SeekerCreateView(StationScopedMixin, ScopedCreateView):
    pass


class SeekerEditView(StationScopedMixin, ScopedEditView):
    pass


class SeekerDeleteView(StationScopedMixin, ScopedDeleteView):
    pass


class SeekerInspectView(StationScopedMixin, ScopedInspectView):
    pass


class ResidentForm(ScopedModelForm):
    """A form with a resident: chosen among the residents the user may see."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("resident")
        if field is not None:
            # A search box scoped to what the user may see, never the register.
            station = self._meta.model._meta.model_name in access.STATION_MODELS
            source = access.station_residents if station else grid_residents
            use_picker(field, self.for_user, source)


class JobSeekerForm(ResidentForm):
    class Meta(ScopedModelForm.Meta):
        model = JobSeeker
        fields = [
            "resident",
            "skills",
            "wished_place",
            "min_pay",
            "tags",
            "status",
            "placed_with",
            "placed_on",
            "note",
        ]


class MigrantWorkForm(ResidentForm):
    class Meta(ScopedModelForm.Meta):
        model = MigrantWork
        fields = ["resident", "place", "employer", "job", "since", "until", "note"]


def _resident_name(seeker) -> str:
    return seeker.resident.name


class JobSeekerViewSet(GridScopedModelViewSet):
    model = JobSeeker
    icon = "user"
    menu_label = gettext_lazy("Job seekers")
    menu_order = 20
    form_class = JobSeekerForm
    index_view_class = SeekerIndexView
    add_view_class = SeekerCreateView
    edit_view_class = SeekerEditView
    delete_view_class = SeekerDeleteView
    inspect_view_class = SeekerInspectView
    select_related = ("resident__household__building__grid", "placed_with")
    list_display = [
        Column("resident", label=gettext_lazy("resident"), accessor=_resident_name),
        Column("masked_phone", label=gettext_lazy("phone")),
        "wished_place",
        "min_pay",
        "status",
        "created_at",
    ]
    list_filter = ["status", "wished_place"]
    search_fields = ["resident__name", "skills"]
    inspect_view_fields = [
        "resident",
        "masked_phone",
        "skills",
        "wished_place",
        "min_pay",
        "tag_labels",
        "status",
        "placed_with",
        "placed_on",
        "note",
    ]
    # Residents' phones leave masked, as the list shows them.
    list_export = [
        "id",
        "resident.name",
        "resident.household.building.grid.name",
        "masked_phone",
        "skills",
        "get_wished_place_display",
        "min_pay",
        "get_status_display",
        "placed_with",
        "placed_on",
        "created_at",
    ]
    export_headings = {
        "id": gettext_lazy("ID"),
        "resident.name": gettext_lazy("resident"),
        "resident.household.building.grid.name": gettext_lazy("grid"),
        "masked_phone": gettext_lazy("phone"),
        "skills": gettext_lazy("skills"),
        "get_wished_place_display": gettext_lazy("wants to work"),
        "min_pay": gettext_lazy("lowest monthly pay wanted (yuan)"),
        "get_status_display": gettext_lazy("status"),
        "placed_with": gettext_lazy("placed with"),
        "placed_on": gettext_lazy("placed on"),
        "created_at": gettext_lazy("registered"),
    }
    export_filename = "job-seekers"

    @property
    def name(self):
        return "employment_seekers"

    @property
    def url_prefix(self):
        return "employment/seekers"

    def get_form_class(self, for_update=False):
        return JobSeekerForm


class MigrantWorkViewSet(GridScopedModelViewSet):
    model = MigrantWork
    icon = "site"
    menu_label = gettext_lazy("Migrant work")
    menu_order = 30
    form_class = MigrantWorkForm
    select_related = ("resident__household__building__grid",)
    list_display = [
        Column("resident", label=gettext_lazy("resident"), accessor=_resident_name),
        "place",
        "employer",
        "since",
        "until",
    ]
    search_fields = ["resident__name", "place", "employer"]
    inspect_view_fields = ["resident", "place", "employer", "job", "since", "until", "note"]
    list_export = [
        "id",
        "resident.name",
        "resident.household.building.grid.name",
        "place",
        "employer",
        "job",
        "since",
        "until",
    ]
    export_headings = {
        "id": gettext_lazy("ID"),
        "resident.name": gettext_lazy("resident"),
        "resident.household.building.grid.name": gettext_lazy("grid"),
        "place": gettext_lazy("where"),
        "employer": gettext_lazy("employer"),
        "job": gettext_lazy("job"),
        "since": gettext_lazy("since"),
        "until": gettext_lazy("until"),
    }
    export_filename = "migrant-work"

    @property
    def name(self):
        return "employment_migrant_work"

    @property
    def url_prefix(self):
        return "employment/migrant-work"

    def get_form_class(self, for_update=False):
        return MigrantWorkForm


class CourseViewSet(ScopedViewSetMixin, ModelViewSet):
    """Courses are the station's own records (no resident data): no grid scope."""

    model = Course
    grid_scope = Scope.NO_GRID_DATA
    icon = "doc-full"
    menu_label = gettext_lazy("Training courses")
    menu_order = 40
    name = "employment_courses"
    url_prefix = "employment/courses"
    form_fields = [
        "title",
        "organiser",
        "description",
        "place",
        "schedule",
        "starts_on",
        "ends_on",
        "capacity",
        "min_attendance",
    ]
    list_display = ["title", "starts_on", "ends_on", "place", "capacity"]
    search_fields = ["title", "place"]
    copy_view_enabled = False
    add_to_reference_index = False
    search_backend_name = None


# --- the station's own views -----------------------------------------------------------------


class EmploymentView(WagtailAdminTemplateMixin, TemplateView):
    """Base of the views below: grid-scoped, and needs ``permission``."""

    grid_scope = Scope.GRID
    permission = VIEW_SEEKERS
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class PostingsView(EmploymentView):
    """Open postings with their interest, and the links to everything else."""

    template_name = "employment/admin/postings.html"
    page_title = gettext_lazy("Postings and matching")
    permission = "employment.view_jobpostingpage"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["postings"] = list(
            open_postings()
            .annotate(interest_count=Count("interests"))
            .defer("search_text")
            .order_by("closing_date", "pk")
        )
        return context


class PostingDetailView(EmploymentView):
    """One posting: who said they are interested, and the job seekers it matches."""

    template_name = "employment/admin/posting.html"
    permission = "employment.view_jobpostingpage"

    def get_page_title(self):
        return self.posting.title

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.posting = get_object_or_404(JobPostingPage.objects.live(), pk=kwargs["pk"])

    def seekers(self):
        seekers = access.visible(
            JobSeeker.objects.filter(status=JobSeeker.Status.LOOKING), self.request.user
        )
        return matching.seekers_for(self.posting, seekers)

    def get_context_data(self, **kwargs):
        from anju.services import visible_cases

        context = super().get_context_data(**kwargs)
        user = self.request.user
        interests = Interest.objects.filter(
            posting=self.posting, case__in=visible_cases(user).values("pk")
        ).select_related("case")
        context.update(
            posting=self.posting,
            interests=list(interests),
            seekers=list(self.seekers().select_related("resident__household__building__grid"))
            if user.has_perm(VIEW_SEEKERS)
            else [],
            may_notify=user.has_perm(NOTIFY) and not self.posting.is_closed,
        )
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(NOTIFY):
            raise PermissionDenied
        if self.posting.is_closed:
            messages.error(request, _("This posting is closed."))
        else:
            sent = matching.notify_matching_seekers(self.posting, self.seekers(), request=request)
            messages.success(
                request,
                _("%(count)d matching job seekers will get a text message.") % {"count": sent},
            )
        return redirect("employment_admin:posting", pk=self.posting.pk)


class SeekerMatchesView(EmploymentView):
    """The open postings that match one job seeker."""

    template_name = "employment/admin/seeker_matches.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        queryset = access.visible(JobSeeker.objects.select_related("resident"), request.user)
        self.seeker = get_object_or_404(queryset, pk=kwargs["pk"])

    def get_page_title(self):
        return _("Jobs for %(name)s") % {"name": self.seeker.resident.name}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["seeker"] = self.seeker
        context["postings"] = list(
            matching.postings_for(self.seeker).defer("search_text").order_by("closing_date")
        )
        return context


class SessionForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    topic = forms.CharField(label=gettext_lazy("topic"), max_length=100, required=False)


class CourseDetailView(EmploymentView):
    """A course's enrolments (of the grids the user may see), its waiting list, its
    sessions with attendance, and the actions on them."""

    template_name = "employment/admin/course.html"
    permission = VIEW_ENROLMENTS

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.course = get_object_or_404(Course, pk=kwargs["pk"])

    def get_page_title(self):
        return self.course.title

    def enrolments(self):
        return access.visible(
            Enrolment.objects.filter(course=self.course), self.request.user
        ).select_related("resident__household__building")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        enrolments = list(
            self.enrolments()
            .exclude(status=Enrolment.Status.CANCELLED)
            .annotate(attended=Count("attendance"))
            .order_by("created_at", "pk")
        )
        sessions = list(
            self.course.sessions.prefetch_related(
                Prefetch("attendance", to_attr="present")
            ).order_by("date")
        )
        for session in sessions:
            session.present_ids = {a.enrolment_id for a in session.present}
        context.update(
            course=self.course,
            enrolled=[e for e in enrolments if e.status != Enrolment.Status.WAITING],
            waiting=[e for e in enrolments if e.status == Enrolment.Status.WAITING],
            taken=training.enrolled_count(self.course),
            sessions=sessions,
            enrol_form=kwargs.get("enrol_form") or EnrolForm(user=self.request.user),
            session_form=kwargs.get("session_form") or SessionForm(),
            may_change=self.request.user.has_perm(CHANGE_ENROLMENTS),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(CHANGE_ENROLMENTS):
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "enrol":
                form = EnrolForm(request.POST, user=request.user)
                if not form.is_valid():
                    return self.render_to_response(
                        self.get_context_data(enrol_form=form), status=400
                    )
                enrolment = training.enrol(
                    self.course, form.cleaned_data["resident"], by=request.user
                )
                if enrolment.status == Enrolment.Status.WAITING:
                    messages.warning(request, _("The course is full: put on the waiting list."))
                else:
                    messages.success(request, _("Enrolled."))
            elif action == "add_session":
                form = SessionForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(
                        self.get_context_data(session_form=form), status=400
                    )
                CourseSession.objects.create(course=self.course, **form.cleaned_data)
                messages.success(request, _("Session added."))
            elif action in ("cancel", "complete"):
                enrolment = get_object_or_404(self.enrolments(), pk=request.POST.get("enrolment"))
                if action == "cancel":
                    promoted = training.cancel(enrolment)
                    messages.success(request, _("Cancelled."))
                    if promoted is not None:
                        messages.info(
                            request,
                            _("%(name)s moves up from the waiting list.")
                            % {"name": promoted.resident.name},
                        )
                else:
                    training.complete(enrolment)
                    messages.success(request, _("Marked as completed."))
            elif action == "attendance":
                session = get_object_or_404(self.course.sessions, pk=request.POST.get("session"))
                ids = [int(v) for v in request.POST.getlist("present") if v.isdigit()]
                # Only enrolments the user may see are touched; others keep their record.
                mine = self.enrolments().filter(status__in=("enrolled", "completed"))
                present = list(mine.filter(pk__in=ids))
                kept = list(
                    Enrolment.objects.filter(attendance__session=session).exclude(
                        pk__in=mine.values("pk")
                    )
                )
                count = training.record_attendance(session, present + kept)
                messages.success(
                    request, _("Attendance recorded: %(count)d present.") % {"count": count}
                )
            else:
                raise Http404
        except training.EnrolmentError as error:
            messages.error(request, str(error))
        return redirect("employment_admin:course", pk=self.course.pk)


class ApplicationsView(EmploymentView):
    """Subsidy applications: the cases of the subsidy schemes the user may see."""

    template_name = "employment/admin/applications.html"
    page_title = gettext_lazy("Subsidy applications")
    permission = "services.view_case"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cases = applications(self.request.user).select_related(
            "service__subsidy_scheme", "grid", "assignee", "filed_by"
        )
        status = self.request.GET.get("status", "")
        if status in Status.values:
            cases = cases.filter(status=status)
        context.update(
            cases=list(cases.order_by("-created_at", "-pk")[:500]),
            statuses=Status.choices,
            status=status,
            schemes=list(SubsidyScheme.objects.select_related("service")),
            may_file=self.request.user.has_perm("services.file_on_behalf"),
            may_export=self.request.user.has_perm(EXPORT),
        )
        return context


class ExportView(View):
    """The county bureau's spreadsheet of the applications the user may see."""

    grid_scope = Scope.GRID

    def get(self, request):
        if not (request.user.has_perm("services.view_case") and request.user.has_perm(EXPORT)):
            raise PermissionDenied
        cases = applications(request.user)
        status = request.GET.get("status", "")
        if status in Status.values:
            cases = cases.filter(status=status)
        kind = request.GET.get("kind", "")
        if kind:
            cases = cases.filter(service__subsidy_scheme__kind=kind)
        response = HttpResponse(
            export_workbook(request, cases),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{export_filename()}"'
        response["Cache-Control"] = "private, no-store"
        return response


class FiguresView(EmploymentView):
    template_name = "employment/admin/figures.html"
    page_title = gettext_lazy("Employment figures")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["figures"] = employment_figures(self.request.user)
        return context


class StationViewSet(ViewSet):
    """The station's own pages (not one model's CRUD)."""

    name = "employment_admin"
    url_prefix = "employment"
    icon = "group"
    menu_label = gettext_lazy("Postings and matching")
    menu_order = 10
    permission = "employment.view_jobpostingpage"
    first = "postings"

    def get_urlpatterns(self):
        return [
            path("", PostingsView.as_view(), name="postings"),
            path("postings/<int:pk>/", PostingDetailView.as_view(), name="posting"),
            path("seekers/<int:pk>/matches/", SeekerMatchesView.as_view(), name="seeker_matches"),
            path("courses/<int:pk>/", CourseDetailView.as_view(), name="course"),
            path("subsidies/", ApplicationsView.as_view(), name="applications"),
            path("subsidies/export/", ExportView.as_view(), name="export"),
            path("figures/", FiguresView.as_view(), name="figures"),
        ]

    @property
    def menu_url(self):
        return reverse(self.get_url_name(self.first))

    def get_menu_item(self, order=None):
        return PermissionMenuItem(
            self.menu_label,
            self.menu_url,
            name=f"{self.name}-{self.first}",
            icon_name=self.icon,
            order=self.get_menu_item_order(order),
            permission=self.permission,
        )


class ApplicationsMenu(StationViewSet):
    """The subsidy applications' menu entry (its URLs are the StationViewSet's)."""

    name = "employment_applications_menu"
    url_prefix = "employment/applications-menu"
    menu_label = gettext_lazy("Subsidy applications")
    menu_order = 50
    permission = "services.view_case"
    first = "applications"

    def get_urlpatterns(self):
        return []

    @property
    def menu_url(self):
        return reverse("employment_admin:applications")

    def get_menu_item(self, order=None):
        return PermissionMenuItem(
            self.menu_label,
            self.menu_url,
            name="employment_admin-applications",
            icon_name="form",
            order=self.get_menu_item_order(order),
            permission=self.permission,
        )


class EmploymentViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Employment")
    menu_icon = "group"
    menu_order = 410
    items = (
        StationViewSet,
        JobSeekerViewSet,
        MigrantWorkViewSet,
        CourseViewSet,
        ApplicationsMenu,
    )


viewsets = [EmploymentViewSetGroup()]
