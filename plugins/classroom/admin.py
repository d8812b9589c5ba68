"""The classroom in the Wagtail admin (menu "Seven-colour classroom"):

* Children — enrolments and waiting lists (enrol a child on the family's behalf), each
  child's guardians and pick-up list, cancel (the waiting list moves up);
* At the door — the tablet page: one tap to check in, one to check out with the person
  who came (someone not on the list is refused and flagged);
* Calls — absent children to call, refused pick-ups;
* Notices — a notice to the guardians of one class;
* Figures — per term, with the term's and the volunteers' Excel workbooks;
* Terms, Classes, Volunteers, Volunteer hours — model viewsets (the classroom's own
  records, no children's data).

Every view showing children declares ``Scope.GRID`` and filters with ``access.visible``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from anju.permissions import CommunityScopedModelViewSet, PermissionMenuItem, Scope

from . import access, care
from .figures import term_figures, term_workbook, volunteers_workbook
from .forms import GuardianForm, NoticeForm, StaffEnrolForm, open_classes
from .models import (
    Attendance,
    CallTask,
    ClassGroup,
    ClassNotice,
    Enrolment,
    Guardian,
    PickupFlag,
    Term,
    Volunteer,
    VolunteerShift,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 200


class ClassroomView(WagtailAdminTemplateMixin, TemplateView):
    """Base of the views below: grid-scoped, and needs ``permission``."""

    grid_scope = Scope.GRID
    permission = "classroom.view_enrolment"
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        self.load(request, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load(self, request, **kwargs):
        """Hook: look up the view's object, once the permission is checked."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["nav"] = {
            "children": user.has_perm("classroom.view_enrolment"),
            "door": user.has_perm("classroom.door"),
            "calls": user.has_perm("classroom.view_calltask"),
            "notices": user.has_perm("classroom.add_classnotice"),
            "figures": user.has_perm("classroom.view_classgroup"),
        }
        return context


# --- children ----------------------------------------------------------------------------


class ChildrenView(ClassroomView):
    template_name = "classroom/admin/children.html"
    page_title = gettext_lazy("Children")

    def enrolments(self):
        queryset = access.visible(Enrolment.objects.all(), self.request.user).select_related(
            "child__household__building", "klass__term"
        )
        klass = self.request.GET.get("klass", "")
        if klass.isdigit():
            queryset = queryset.filter(klass_id=int(klass))
        status = self.request.GET.get("status", "")
        if status in Enrolment.Status.values:
            queryset = queryset.filter(status=status)
        else:
            queryset = queryset.exclude(status=Enrolment.Status.CANCELLED)
        return queryset.order_by("klass__starts_at", "klass_id", "status", "created_at", "pk")

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        may_add = user.has_perm("classroom.add_enrolment")
        context.update(
            enrolments=list(self.enrolments()[:PAGE_SIZE]),
            classes=list(open_classes()),
            statuses=Enrolment.Status.choices,
            may_add=may_add,
            form=form or (StaffEnrolForm(user=user) if may_add else None),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("classroom.add_enrolment"):
            raise PermissionDenied
        form = StaffEnrolForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                enrolment = care.enrol(
                    data["klass"], data["child"], consent_by=data["consent_by"], by=request.user
                )
            except care.ClassroomError as error:
                form.add_error(None, str(error))
            else:
                Guardian.objects.get_or_create(
                    child=data["child"],
                    name=data["consent_by"],
                    defaults={
                        "relation": data["guardian_relation"],
                        "phone": data["guardian_phone"],
                    },
                )
                if enrolment.status == Enrolment.Status.WAITING:
                    messages.warning(
                        request,
                        _("The class is full: %(name)s is on the waiting list.")
                        % {"name": enrolment.child.name},
                    )
                else:
                    messages.success(
                        request, _("%(name)s is enrolled.") % {"name": enrolment.child.name}
                    )
                return redirect("classroom_admin:enrolment", pk=enrolment.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class EnrolmentView(ClassroomView):
    template_name = "classroom/admin/enrolment.html"

    def load(self, request, **kwargs):
        self.enrolment = get_object_or_404(
            access.visible(Enrolment.objects.all(), request.user).select_related(
                "child__household__building", "klass__term"
            ),
            pk=kwargs["pk"],
        )

    def get_page_title(self):
        return f"{self.enrolment.child.name} · {self.enrolment.klass.title}"

    def get_context_data(self, guardian_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        enrolment = self.enrolment
        context.update(
            enrolment=enrolment,
            guardians=list(Guardian.objects.filter(child_id=enrolment.child_id)),
            history=list(
                Attendance.objects.filter(enrolment=enrolment)
                .select_related("picked_up_by")
                .order_by("-day")[:60]
            ),
            flags=list(PickupFlag.objects.filter(enrolment=enrolment)[:20]),
            may_change=user.has_perm("classroom.change_enrolment"),
            may_add_guardian=user.has_perm("classroom.add_guardian"),
            guardian_form=guardian_form or GuardianForm(),
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "guardian":
            if not request.user.has_perm("classroom.add_guardian"):
                raise PermissionDenied
            form = GuardianForm(request.POST)
            if not form.is_valid():
                return self.render_to_response(
                    self.get_context_data(guardian_form=form), status=400
                )
            guardian = form.save(commit=False)
            guardian.child_id = self.enrolment.child_id
            guardian.save()
            messages.success(request, _("Added to the list."))
        elif action == "remove_guardian":
            if not request.user.has_perm("classroom.change_guardian"):
                raise PermissionDenied
            Guardian.objects.filter(
                child_id=self.enrolment.child_id, pk=request.POST.get("guardian") or 0
            ).update(may_pick_up=False)
            messages.success(request, _("Taken off the pick-up list."))
        elif action == "cancel":
            if not request.user.has_perm("classroom.change_enrolment"):
                raise PermissionDenied
            promoted = care.cancel(self.enrolment)
            messages.success(request, _("Enrolment cancelled."))
            if promoted is not None:
                messages.info(
                    request,
                    _("%(name)s moves up from the waiting list.") % {"name": promoted.child.name},
                )
        return redirect("classroom_admin:enrolment", pk=self.enrolment.pk)


# --- the door ------------------------------------------------------------------------------


class DoorView(ClassroomView):
    """The tablet at the door: today's classes, then a class's children with one button
    each — "arrived", or "picked up by …"."""

    template_name = "classroom/admin/door.html"
    page_title = gettext_lazy("At the door")
    permission = "classroom.door"

    def load(self, request, **kwargs):
        self.klass = None
        if kwargs.get("pk"):
            self.klass = get_object_or_404(
                ClassGroup.objects.select_related("term"), pk=kwargs["pk"]
            )

    def rows(self):
        today = timezone.localdate()
        enrolments = (
            access.visible(
                Enrolment.objects.filter(klass=self.klass, status=Enrolment.Status.ENROLLED),
                self.request.user,
            )
            .select_related("child")
            .prefetch_related(
                Prefetch(
                    "attendance",
                    queryset=Attendance.objects.filter(day=today),
                    to_attr="today",
                )
            )
            .order_by("child__name", "pk")
        )
        enrolments = list(enrolments)
        guardians: dict[int, list] = {}
        for guardian in Guardian.objects.filter(
            child_id__in=[e.child_id for e in enrolments], may_pick_up=True
        ):
            guardians.setdefault(guardian.child_id, []).append(guardian)
        for enrolment in enrolments:
            enrolment.attendance_today = enrolment.today[0] if enrolment.today else None
            enrolment.pickers = guardians.get(enrolment.child_id, [])
        return enrolments

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        if self.klass is None:
            classes = [k for k in open_classes() if k.meets_on(today)]
            context.update(classes=classes, klass=None)
        else:
            context.update(klass=self.klass, rows=self.rows())
        return context

    def post(self, request, *args, **kwargs):
        if self.klass is None:
            raise Http404
        enrolment = get_object_or_404(
            access.visible(Enrolment.objects.filter(klass=self.klass), request.user).select_related(
                "child"
            ),
            pk=request.POST.get("enrolment") or 0,
        )
        action = request.POST.get("action")
        try:
            if action == "in":
                attendance, created = care.check_in(enrolment, by=request.user)
                if created:
                    messages.success(
                        request,
                        _("%(child)s arrived %(time)s")
                        % {
                            "child": enrolment.child.name,
                            "time": timezone.localtime(attendance.checked_in_at).strftime("%H:%M"),
                        },
                    )
            elif action == "out":
                picker = request.POST.get("guardian", "")
                guardian = (
                    Guardian.objects.filter(pk=int(picker), child_id=enrolment.child_id).first()
                    if picker.isdigit()
                    else None
                )
                care.check_out(
                    enrolment,
                    guardian=guardian,
                    person=request.POST.get("person", ""),
                    by=request.user,
                )
                messages.success(
                    request, _("%(child)s went home.") % {"child": enrolment.child.name}
                )
        except care.ClassroomError as error:
            messages.error(request, str(error))
        return redirect("classroom_admin:door_class", pk=self.klass.pk)


# --- calls and refused pick-ups ----------------------------------------------------------


class CallsView(ClassroomView):
    template_name = "classroom/admin/calls.html"
    page_title = gettext_lazy("Calls and refused pick-ups")
    permission = "classroom.view_calltask"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            calls=list(
                access.visible(CallTask.objects.filter(done_at=None), user)
                .select_related("enrolment__child__household__building", "enrolment__klass")
                .order_by("-day", "pk")[:PAGE_SIZE]
            ),
            flags=list(
                access.visible(PickupFlag.objects.filter(resolved=False), user)
                .select_related("enrolment__child", "enrolment__klass", "recorded_by")
                .order_by("-at")[:PAGE_SIZE]
            ),
            may_change=user.has_perm("classroom.change_calltask"),
        )
        guardians: dict[int, list] = {}
        children = {c.enrolment.child_id for c in context["calls"]}
        for guardian in Guardian.objects.filter(child_id__in=children):
            guardians.setdefault(guardian.child_id, []).append(guardian)
        for call in context["calls"]:
            call.guardians = guardians.get(call.enrolment.child_id, [])
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("classroom.change_calltask"):
            raise PermissionDenied
        if request.POST.get("action") == "flag":
            access.visible(PickupFlag.objects.all(), request.user).filter(
                pk=request.POST.get("flag") or 0
            ).update(resolved=True)
        else:
            access.visible(CallTask.objects.filter(done_at=None), request.user).filter(
                pk=request.POST.get("call") or 0
            ).update(
                done_at=timezone.now(),
                done_by=request.user,
                outcome=request.POST.get("outcome", "")[:200],
            )
        messages.success(request, _("Done."))
        return redirect("classroom_admin:calls")


# --- notices ----------------------------------------------------------------------------


class NoticesView(ClassroomView):
    template_name = "classroom/admin/notices.html"
    page_title = gettext_lazy("Notices to parents")
    permission = "classroom.add_classnotice"
    grid_scope = Scope.NO_GRID_DATA

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            classes=list(open_classes()),
            form=form or NoticeForm(),
            notices=list(ClassNotice.objects.select_related("klass", "sent_by")[:50]),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = NoticeForm(request.POST)
        klass = ClassGroup.objects.filter(pk=request.POST.get("klass") or 0).first()
        if klass is None:
            form.is_valid()
            form.add_error(None, _("Choose a class."))
        elif form.is_valid():
            notice = care.send_notice(klass, form.cleaned_data["text"], by=request.user)
            messages.success(
                request,
                _("Sent to %(count)d guardians of %(klass)s.")
                % {"count": notice.recipients, "klass": klass.title},
            )
            return redirect("classroom_admin:notices")
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- figures and exports ---------------------------------------------------------------------


class FiguresView(ClassroomView):
    template_name = "classroom/admin/figures.html"
    page_title = gettext_lazy("Classroom figures")
    permission = "classroom.view_classgroup"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        terms = list(Term.objects.all()[:20])
        chosen = self.request.GET.get("term", "")
        term = next((t for t in terms if str(t.pk) == chosen), terms[0] if terms else None)
        context.update(
            terms=terms,
            term=term,
            figures=term_figures(term, self.request.user) if term else None,
            may_export_volunteers=self.request.user.has_perm("classroom.view_volunteer"),
        )
        return context


class TermExportView(View):
    """The term's workbook: classes and attendance rates, the children the user may
    see, volunteer hours."""

    grid_scope = Scope.GRID

    def get(self, request, pk):
        if not request.user.has_perm("classroom.view_classgroup") or not request.user.has_perm(
            "classroom.view_enrolment"
        ):
            raise PermissionDenied
        term = get_object_or_404(Term, pk=pk)
        response = HttpResponse(term_workbook(term, request.user), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="classroom-term-{term.pk}.xlsx"'
        response["Cache-Control"] = "private, no-store"
        return response


class VolunteersExportView(View):
    """The volunteers' roster with their hours in the term."""

    grid_scope = Scope.NO_GRID_DATA

    def get(self, request, pk):
        if not request.user.has_perm("classroom.view_volunteer"):
            raise PermissionDenied
        term = get_object_or_404(Term, pk=pk)
        response = HttpResponse(volunteers_workbook(term), content_type=XLSX)
        response["Content-Disposition"] = (
            f'attachment; filename="classroom-volunteers-{term.pk}.xlsx"'
        )
        response["Cache-Control"] = "private, no-store"
        return response


# --- menus and viewsets --------------------------------------------------------------------


class ClassroomViewSet(ViewSet):
    """The classroom's own pages (not one model's CRUD)."""

    name = "classroom_admin"
    url_prefix = "classroom"
    icon = "group"
    menu_label = gettext_lazy("Children")
    menu_order = 10
    permission = "classroom.view_enrolment"
    first = "children"

    def get_urlpatterns(self):
        return [
            path("", ChildrenView.as_view(), name="children"),
            path("enrolments/<int:pk>/", EnrolmentView.as_view(), name="enrolment"),
            path("door/", DoorView.as_view(), name="door"),
            path("door/<int:pk>/", DoorView.as_view(), name="door_class"),
            path("calls/", CallsView.as_view(), name="calls"),
            path("notices/", NoticesView.as_view(), name="notices"),
            path("figures/", FiguresView.as_view(), name="figures"),
            path("figures/<int:pk>/export/", TermExportView.as_view(), name="term_export"),
            path(
                "figures/<int:pk>/volunteers/",
                VolunteersExportView.as_view(),
                name="volunteers_export",
            ),
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


def _menu(name_, label, order_, permission_, first_, icon_):
    class Menu(ClassroomViewSet):
        name = f"classroom_menu_{name_}"
        url_prefix = f"classroom/menu-{name_}"
        menu_label = label
        menu_order = order_
        permission = permission_
        first = first_
        icon = icon_

        def get_urlpatterns(self):
            return []

        @property
        def menu_url(self):
            return reverse(f"classroom_admin:{self.first}")

    Menu.__name__ = f"{name_.title()}Menu"
    return Menu


DoorMenu = _menu("door", gettext_lazy("At the door"), 20, "classroom.door", "door", "tick")
CallsMenu = _menu("calls", gettext_lazy("Calls"), 30, "classroom.view_calltask", "calls", "warning")
NoticesMenu = _menu(
    "notices",
    gettext_lazy("Notices to parents"),
    40,
    "classroom.add_classnotice",
    "notices",
    "mail",
)
FiguresMenu = _menu(
    "figures", gettext_lazy("Figures"), 90, "classroom.view_classgroup", "figures", "table"
)


class OwnRecords(CommunityScopedModelViewSet):
    """The classroom's own records (no children's data): no grid scope, and only those
    of the communities the user sees."""

    grid_scope = Scope.NO_GRID_DATA
    inspect_view_enabled = False
    copy_view_enabled = False
    add_to_reference_index = False
    search_backend_name = None


class TermViewSet(OwnRecords):
    model = Term
    icon = "date"
    menu_label = gettext_lazy("Terms")
    menu_order = 50
    name = "classroom_terms"
    url_prefix = "classroom/terms"
    form_fields = ["community", "name", "starts_on", "ends_on"]
    list_display = ["name", "starts_on", "ends_on"]


class ClassGroupViewSet(OwnRecords):
    model = ClassGroup
    icon = "doc-full"
    menu_label = gettext_lazy("Classes")
    menu_order = 60
    name = "classroom_classes"
    url_prefix = "classroom/classes"
    form_fields = [
        "term",
        "kind",
        "title",
        "weekdays",
        "starts_at",
        "ends_at",
        "room",
        "capacity",
        "in_charge",
        "absent_after_minutes",
    ]
    list_display = ["title", "kind", "term", "day_labels", "starts_at", "room", "capacity"]
    list_filter = ["kind", "term"]
    search_fields = ["title", "room"]

    def get_queryset(self, request):
        return ClassGroup.objects.select_related("term")


class VolunteerViewSet(OwnRecords):
    model = Volunteer
    icon = "user"
    menu_label = gettext_lazy("Volunteers")
    menu_order = 70
    name = "classroom_volunteers"
    url_prefix = "classroom/volunteers"
    form_fields = ["community", "name", "phone", "is_teacher", "note"]
    list_display = ["name", "masked_phone", "is_teacher"]
    search_fields = ["name"]


class VolunteerShiftViewSet(OwnRecords):
    model = VolunteerShift
    icon = "time"
    menu_label = gettext_lazy("Volunteer hours")
    menu_order = 80
    name = "classroom_volunteer_hours"
    url_prefix = "classroom/volunteer-hours"
    form_fields = ["volunteer", "klass", "day", "hours"]
    list_display = ["volunteer", "klass", "day", "hours"]

    def get_queryset(self, request):
        return VolunteerShift.objects.select_related("volunteer", "klass__term")


class ClassroomViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Seven-colour classroom")
    menu_icon = "group"
    menu_order = 430
    items = (
        ClassroomViewSet,
        DoorMenu,
        CallsMenu,
        NoticesMenu,
        TermViewSet,
        ClassGroupViewSet,
        VolunteerViewSet,
        VolunteerShiftViewSet,
        FiguresMenu,
    )


viewsets = [ClassroomViewSetGroup()]
