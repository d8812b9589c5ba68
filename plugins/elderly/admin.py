"""The staff's side in the Wagtail admin: the counter (a tablet at the canteen's door),
the kitchen's headcount, deliveries, booking on someone's behalf, the eligible elders
per grid, statements and the bureau's report, welfare checks, figures; menus,
exceptions, dietary notes and the activity centre as model viewsets.

Every view declares its scope. Lists of residents are narrowed by ``canteen.visible``:
the user's grids, or every grid for the canteen's staff and the committee
(``elderly.canteen_wide``).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from anju.community import Grid, Resident
from anju.permissions import (
    CommunityScopedModelViewSet,
    GridScopedModelViewSet,
    PermissionMenuItem,
    Scope,
    ScopedModelForm,
    scope_queryset,
)

from . import activities, canteen, welfare
from .forms import StaffBookingForm, WelfareCheckForm
from .models import (
    Activity,
    CanteenDay,
    Diner,
    EligibilityGrant,
    Meal,
    Menu,
    Room,
    RoomBooking,
    SignUp,
)

PAGE_SIZE = 50


def _day(request, name="date") -> datetime.date:
    return parse_date(request.GET.get(name) or "") or timezone.localdate()


def _month(request) -> datetime.date:
    text = request.GET.get("month") or ""
    try:
        return datetime.date(int(text[:4]), int(text[5:7]), 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


class ElderlyView(WagtailAdminTemplateMixin, TemplateView):
    """Base of the canteen's pages: grid-scoped, and needs ``permission``."""

    grid_scope = Scope.GRID
    permission = "elderly.view_meal"
    header_icon = "pick"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["canteen_wide"] = canteen.canteen_wide(self.request.user)
        return context


class CounterView(ElderlyView):
    """The counter's tablet: type a name or room, tap 已就餐. A walk-in is served the
    same way (a meal is made for them)."""

    template_name = "elderly/admin/counter.html"
    page_title = gettext_lazy("Canteen counter")
    permission = "elderly.change_meal"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        query = self.request.GET.get("q", "")
        context.update(
            query=query,
            today=today,
            residents=canteen.counter_search(query, today, self.request.user),
            count=canteen.headcount(today, self.request.user),
        )
        return context

    def post(self, request, *args, **kwargs):
        today = timezone.localdate()
        resident = (
            canteen.visible(canteen.eligible_residents(today), request.user)
            .filter(pk=kwargs["resident"])
            .only("pk", "name", "birth_date")
            .first()
        )
        if resident is None:
            raise Http404
        _meal, served = canteen.check_in(resident, today, by=request.user)
        if served:
            messages.success(request, _("%(name)s: served.") % {"name": resident.name})
        else:
            messages.info(request, _("%(name)s was already served.") % {"name": resident.name})
        query = request.POST.get("q", "")
        url = reverse("elderly_admin:counter")
        return redirect(f"{url}?q={query}" if query else url)


class KitchenView(ElderlyView):
    """The kitchen's headcount for a day, per option; prints on one page."""

    template_name = "elderly/admin/kitchen.html"
    page_title = gettext_lazy("Kitchen headcount")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        day = _day(self.request)
        context.update(
            day=day,
            count=canteen.headcount(day, self.request.user),
            notes=canteen.visible(
                Meal.objects.filter(date=day, status=Meal.Status.BOOKED).exclude(note=""),
                self.request.user,
            ).select_related("resident__household__building"),
        )
        return context


class PrintView(KitchenView):
    template_name = "elderly/admin/kitchen_print.html"

    def render_to_response(self, context, **kwargs):
        return super(WagtailAdminTemplateMixin, self).render_to_response(context, **kwargs)


class DeliveryView(ElderlyView):
    template_name = "elderly/admin/delivery.html"
    page_title = gettext_lazy("Deliveries")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        day = _day(self.request)
        context.update(day=day, meals=canteen.delivery_list(day, self.request.user))
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("elderly.change_meal"):
            raise PermissionDenied
        if not canteen.visible(Meal.objects.filter(pk=kwargs["pk"]), request.user).exists():
            raise Http404
        canteen.mark_delivered(kwargs["pk"], request.user)
        messages.success(request, _("Marked delivered."))
        return redirect(f"{reverse('elderly_admin:delivery')}?date={request.POST.get('date', '')}")


class BookView(ElderlyView):
    """Book for an elder who cannot use a phone (grid worker, canteen staff)."""

    template_name = "elderly/admin/book.html"
    page_title = gettext_lazy("Book a lunch on behalf")
    permission = "elderly.add_meal"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault(
            "form", StaffBookingForm(user=self.request.user, initial={"date": _day(self.request)})
        )
        return context

    def post(self, request, *args, **kwargs):
        form = StaffBookingForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meal = canteen.book(
                    data["resident"],
                    data["date"],
                    option=data["option"],
                    by=request.user,
                    channel=Meal.Channel.STAFF,
                    delivery=data["delivery"],
                    note=data["note"],
                )
            except canteen.BookingError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Booked: %(name)s, %(day)s.")
                    % {"name": meal.resident.name, "day": meal.date.isoformat()},
                )
                return redirect("elderly_admin:book")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class EligibleView(ElderlyView):
    """The eligible elders and their households, per grid."""

    template_name = "elderly/admin/eligible.html"
    page_title = gettext_lazy("Eligible elders")
    permission = "elderly.view_eligibilitygrant"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        residents = (
            canteen.visible(canteen.eligible_residents(), user)
            .select_related("household__building__grid", "elderly_grant")
            .order_by(
                "household__building__grid__number",
                "household__building__sort_order",
                "household__unit",
                "household__room",
                "name",
            )
        )
        grid = self.request.GET.get("grid", "")
        if grid.isdigit():
            residents = residents.filter(household__building__grid_id=int(grid))
        page = Paginator(residents, PAGE_SIZE).get_page(self.request.GET.get("p"))
        context.update(
            page=page,
            residents=page.object_list,
            grids=canteen.visible(Grid.objects.all(), user).order_by("number")
            if canteen.canteen_wide(user)
            else scope_queryset(Grid.objects.all(), user).order_by("number"),
            selected_grid=grid,
            month=timezone.localdate().strftime("%Y-%m"),
        )
        return context


class StatementView(ElderlyView):
    template_name = "elderly/admin/statement.html"
    page_title = gettext_lazy("Monthly statement")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        resident = get_object_or_404(
            canteen.visible(
                Resident.objects.select_related("household__building"), self.request.user
            ),
            pk=self.kwargs["resident"],
        )
        context["statement"] = canteen.statement(resident, _month(self.request))
        return context


class ReportView(ElderlyView):
    """The monthly report of meals and subsidy owed, for the civil-affairs bureau."""

    template_name = "elderly/admin/report.html"
    page_title = gettext_lazy("Bureau report")
    permission = "elderly.canteen_wide"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") != "xlsx":
            return super().get(request, *args, **kwargs)
        month = _month(request)
        workbook = canteen.bureau_workbook(month, request.user)
        response = HttpResponse(
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        workbook.save(response)
        name = f"elderly-canteen-{month.strftime('%Y-%m')}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = _month(self.request)
        context.update(
            month=month,
            rows=list(canteen.bureau_rows(month, self.request.user)),
        )
        return context


class WelfareView(ElderlyView):
    """The welfare checks due for the user's grids, and the ones done."""

    template_name = "elderly/admin/welfare.html"
    page_title = gettext_lazy("Welfare checks")
    permission = "elderly.view_welfarecheck"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            open_checks=list(welfare.open_checks(user).order_by("raised_on", "id")),
            done=list(
                welfare.visible_checks(user)
                .filter(checked_at__isnull=False)
                .order_by("-checked_at")[:20]
            ),
        )
        return context


class WelfareCheckView(ElderlyView):
    template_name = "elderly/admin/welfare_check.html"
    page_title = gettext_lazy("Welfare check")
    permission = "elderly.change_welfarecheck"

    def get_check(self):
        return get_object_or_404(welfare.visible_checks(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["check"] = self.check
        context.setdefault("form", WelfareCheckForm())
        return context

    def get(self, request, *args, **kwargs):
        self.check = self.get_check()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.check = self.get_check()
        form = WelfareCheckForm(request.POST)
        if form.is_valid():
            try:
                welfare.mark_checked(
                    self.check,
                    request.user,
                    form.cleaned_data["note"],
                    form.cleaned_data["channel"],
                )
            except welfare.AlreadyChecked:
                messages.info(request, _("This check was already done."))
            else:
                messages.success(request, _("Checked; the visit is in the household's log."))
            return redirect("elderly_admin:welfare")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class FiguresView(ElderlyView):
    template_name = "elderly/admin/figures.html"
    page_title = gettext_lazy("Canteen figures")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = _month(self.request)
        user = self.request.user
        days = canteen.meals_per_day(month, user)
        context.update(
            month=month,
            days=days,
            total=sum(day["meals"] for day in days),
            coverage=canteen.coverage_by_grid(month, user),
            attendance=_attendance(month, user),
        )
        return context


def _attendance(month, user):
    from django.db.models import Count, Q

    first, following = canteen.month_bounds(month)
    return list(
        canteen.visible(
            SignUp.objects.filter(
                activity__starts_at__date__gte=first,
                activity__starts_at__date__lt=following,
                status=SignUp.Status.CONFIRMED,
            ),
            user,
        )
        .values("activity__kind")
        .annotate(signed=Count("id"), attended=Count("id", filter=Q(attended=True)))
        .order_by("activity__kind")
    )


class AttendanceView(ElderlyView):
    """One activity: places, the waiting list, attendance."""

    template_name = "elderly/admin/attendance.html"
    page_title = gettext_lazy("Activity")
    permission = "elderly.view_signup"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity = get_object_or_404(Activity, pk=self.kwargs["pk"])
        signups = canteen.visible(
            SignUp.objects.filter(activity=activity), self.request.user
        ).select_related("resident__household__building")
        context.update(
            activity=activity,
            confirmed=[s for s in signups if s.status == SignUp.Status.CONFIRMED],
            waiting=[s for s in signups if s.status == SignUp.Status.WAITING],
            may_change=self.request.user.has_perm("elderly.change_signup"),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("elderly.change_signup"):
            raise PermissionDenied
        activity = get_object_or_404(Activity, pk=kwargs["pk"])
        visible_ids = set(
            canteen.visible(SignUp.objects.filter(activity=activity), request.user).values_list(
                "pk", flat=True
            )
        )
        present = [pk for pk in request.POST.getlist("present") if pk.isdigit()]
        activities.record_attendance(activity, [pk for pk in present if int(pk) in visible_ids])
        messages.success(request, _("Attendance saved."))
        return redirect("elderly_admin:activity", pk=activity.pk)


class CanteenViewSet(ViewSet):
    name = "elderly_admin"
    url_prefix = "elderly"
    icon = "pick"
    menu_label = gettext_lazy("Counter and kitchen")
    menu_order = 10

    def get_urlpatterns(self):
        return [
            path("", CounterView.as_view(), name="counter"),
            path("counter/<int:resident>/", CounterView.as_view(), name="check_in"),
            path("kitchen/", KitchenView.as_view(), name="kitchen"),
            path("kitchen/print/", PrintView.as_view(), name="kitchen_print"),
            path("delivery/", DeliveryView.as_view(), name="delivery"),
            path("delivery/<int:pk>/", DeliveryView.as_view(), name="delivered"),
            path("book/", BookView.as_view(), name="book"),
            path("eligible/", EligibleView.as_view(), name="eligible"),
            path("statement/<int:resident>/", StatementView.as_view(), name="statement"),
            path("report/", ReportView.as_view(), name="report"),
            path("welfare/", WelfareView.as_view(), name="welfare"),
            path("welfare/<int:pk>/", WelfareCheckView.as_view(), name="welfare_check"),
            path("figures/", FiguresView.as_view(), name="figures"),
            path("activities/<int:pk>/", AttendanceView.as_view(), name="activity"),
        ]

    def get_menu_item(self, order=None):
        return PermissionMenuItem(
            self.menu_label,
            reverse("elderly_admin:counter"),
            name="elderly_admin-counter",
            icon_name=self.icon,
            order=self.get_menu_item_order(order),
            permission="elderly.view_meal",
        )


class WelfareMenu(ViewSet):
    name = "elderly_welfare_menu"
    url_prefix = "elderly/welfare-menu"
    icon = "user"
    menu_label = gettext_lazy("Welfare checks")
    menu_order = 20

    def get_urlpatterns(self):
        return []

    def get_menu_item(self, order=None):
        return PermissionMenuItem(
            self.menu_label,
            reverse("elderly_admin:welfare"),
            name="elderly_admin-welfare",
            icon_name=self.icon,
            order=self.get_menu_item_order(order),
            permission="elderly.view_welfarecheck",
        )


def _resident(obj) -> str:
    return f"{obj.resident.name} · {obj.resident.household}"


class GrantForm(ScopedModelForm):
    scoped_fields = ("resident",)

    class Meta:
        model = EligibilityGrant
        fields = ["resident", "reason", "granted_on"]


class EligibilityGrantViewSet(GridScopedModelViewSet):
    model = EligibilityGrant
    icon = "tick"
    menu_label = gettext_lazy("Eligibility exceptions")
    menu_order = 30
    form_class = GrantForm
    select_related = ("resident__household__building__grid",)
    list_display = [
        Column("resident", label=gettext_lazy("resident"), accessor=_resident),
        "reason",
        "granted_on",
    ]
    search_fields = ["resident__name", "reason"]
    list_export = [
        "id",
        "resident.name",
        "resident.household.building.grid.name",
        "reason",
        "granted_on",
    ]
    export_headings = {
        "id": gettext_lazy("ID"),
        "resident.name": gettext_lazy("resident"),
        "resident.household.building.grid.name": gettext_lazy("grid"),
        "reason": gettext_lazy("reason"),
        "granted_on": gettext_lazy("granted on"),
    }
    export_filename = "eligibility-exceptions"
    copy_view_enabled = False
    inspect_view_enabled = False

    @property
    def name(self):
        return "elderly_grants"

    @property
    def url_prefix(self):
        return "elderly/grants"

    def get_form_class(self, for_update=False):
        return GrantForm


class DinerForm(ScopedModelForm):
    scoped_fields = ("resident",)

    class Meta:
        model = Diner
        fields = ["resident", "option", "dietary_note"]


class DinerViewSet(GridScopedModelViewSet):
    model = Diner
    icon = "doc-full"
    menu_label = gettext_lazy("Dietary notes")
    menu_order = 40
    form_class = DinerForm
    select_related = ("resident__household__building__grid",)
    list_display = [
        Column("resident", label=gettext_lazy("resident"), accessor=_resident),
        "option",
        "dietary_note",
    ]
    search_fields = ["resident__name", "dietary_note"]
    list_export = [
        "id",
        "resident.name",
        "resident.household.building.grid.name",
        "get_option_display",
        "dietary_note",
    ]
    export_headings = {
        "id": gettext_lazy("ID"),
        "resident.name": gettext_lazy("resident"),
        "resident.household.building.grid.name": gettext_lazy("grid"),
        "get_option_display": gettext_lazy("usual option"),
        "dietary_note": gettext_lazy("dietary notes"),
    }
    export_filename = "dietary-notes"
    copy_view_enabled = False
    inspect_view_enabled = False

    @property
    def name(self):
        return "elderly_diners"

    @property
    def url_prefix(self):
        return "elderly/diners"

    def get_form_class(self, for_update=False):
        return DinerForm


class MenuViewSet(CommunityScopedModelViewSet):
    model = Menu
    grid_scope = Scope.NO_GRID_DATA
    icon = "list-ul"
    menu_label = gettext_lazy("Weekly menus")
    menu_order = 50
    list_display = ["__str__", "published"]
    list_filter = ["published"]
    copy_view_enabled = False
    inspect_view_enabled = False
    name = "elderly_menus"
    url_prefix = "elderly/menus"


class CanteenDayViewSet(CommunityScopedModelViewSet):
    """Public holidays, other closures and 调休 days the canteen serves lunch."""

    model = CanteenDay
    grid_scope = Scope.NO_GRID_DATA
    icon = "calendar"
    menu_label = gettext_lazy("Closures and extra days")
    menu_order = 55
    form_fields = ["community", "date", "open", "reason"]
    list_display = ["date", "open", "reason", "community"]
    list_filter = ["open"]
    copy_view_enabled = False
    inspect_view_enabled = False
    name = "elderly_canteen_days"
    url_prefix = "elderly/canteen-days"


def _activity_link(activity) -> str:
    return reverse("elderly_admin:activity", args=[activity.pk])


class ActivityViewSet(CommunityScopedModelViewSet):
    model = Activity
    grid_scope = Scope.NO_GRID_DATA
    icon = "date"
    menu_label = gettext_lazy("Activities")
    menu_order = 60
    form_fields = [
        "community",
        "title",
        "kind",
        "starts_at",
        "ends_at",
        "room",
        "capacity",
        "description",
        "published",
    ]
    list_display = [
        TitleColumn("title", label=gettext_lazy("title"), get_url=_activity_link),
        "kind",
        "starts_at",
        "room",
        "capacity",
    ]
    list_filter = ["kind", "published"]
    search_fields = ["title"]
    copy_view_enabled = False
    inspect_view_enabled = False
    name = "elderly_activities"
    url_prefix = "elderly/activities-admin"


class RoomViewSet(CommunityScopedModelViewSet):
    model = Room
    grid_scope = Scope.NO_GRID_DATA
    icon = "home"
    menu_label = gettext_lazy("Rooms")
    menu_order = 70
    form_fields = ["community", "name", "capacity"]
    list_display = ["name", "capacity"]
    copy_view_enabled = False
    inspect_view_enabled = False
    name = "elderly_rooms"
    url_prefix = "elderly/rooms"


class RoomBookingViewSet(CommunityScopedModelViewSet):
    model = RoomBooking
    grid_scope = Scope.NO_GRID_DATA
    icon = "date"
    menu_label = gettext_lazy("Room bookings")
    menu_order = 80
    form_fields = ["room", "starts_at", "ends_at", "purpose", "booked_by"]
    list_display = ["room", "starts_at", "ends_at", "purpose", "booked_by"]
    copy_view_enabled = False
    inspect_view_enabled = False
    name = "elderly_room_bookings"
    url_prefix = "elderly/room-bookings"


class ElderlyViewSetGroup(ViewSetGroup):
    menu_label = gettext_lazy("Elderly canteen")
    menu_icon = "pick"
    menu_order = 420
    items = (
        CanteenViewSet,
        WelfareMenu,
        EligibilityGrantViewSet,
        DinerViewSet,
        MenuViewSet,
        CanteenDayViewSet,
        ActivityViewSet,
        RoomViewSet,
        RoomBookingViewSet,
    )


viewsets = [ElderlyViewSetGroup()]
