"""The portal's pages at /services/elderly/: this week's menu and prices, booking and
cancelling lunch without an account, and the activity centre's calendar with sign-up."""

from __future__ import annotations

import datetime

from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from anju.community import residents_acting_for
from anju.core import lazy_context
from anju.plugins import current_community
from anju.services import form_page_response

from . import activities, canteen
from .forms import ActivitySignUpForm, BookingForm, CancelForm
from .models import Activity, Meal, Menu, SignUp


def _limited(request) -> bool:
    """Identifying by the phone's last four digits is guessable: count the attempts
    per client address."""
    return is_ratelimited(
        request,
        group="elderly.identify",
        key="ip",
        rate=canteen.setting("IDENTIFY_RATE"),
        method="POST",
        increment=True,
    )


def _week_menu(community, today):
    monday = today - datetime.timedelta(days=today.weekday())
    menu = (
        Menu.objects.filter(community=community, published=True, week_start=monday)
        .prefetch_related("dishes")
        .first()
    )
    if menu is None:
        return None, []
    days: dict = {}
    for dish in menu.dishes.all():
        days.setdefault(dish.day, []).append(dish)
    return menu, sorted(days.items())


def index(request):
    """The canteen's page: kept rendered until a menu, an activity or a room changes
    (``portal_models``, ``{% publishcache %}``), so a render costs no query."""
    community = current_community(request)
    today = timezone.localdate()

    def build():
        menu, days = _week_menu(community, today)
        return {"menu": menu, "days": days, "activities": list(_upcoming_query(community)[:5])}

    context = lazy_context(build, ("menu", "days", "activities"))
    context.update(
        tiers=canteen.price_tiers(),
        cutoff=canteen.cutoff_time(),
        fragment_key=f"{getattr(community, 'pk', '')}:{today.isoformat()}",
    )
    return TemplateResponse(request, "elderly/index.html", context)


def _acting(request):
    """The residents a signed-in, linked account books for (None: identify by address),
    unless it asked to book for someone else (``?other=1``)."""
    if request.GET.get("other") == "1":
        return None
    residents = residents_acting_for(request.user).select_related("household__building")
    return residents if residents.exists() else None


def _form_page(request, form_class, template, act):
    community = current_community(request)
    acting = _acting(request)
    status, done = 200, None
    if request.method == "POST":
        form = form_class(request.POST, community=community, acting=acting)
        if acting is None and _limited(request):
            form.is_valid()
            form.add_error(None, _("Too many attempts; please try again in an hour."))
            status = 429
        elif form.is_valid():
            try:
                done = act(form)
            except (canteen.BookingError, activities.SignUpError) as exc:
                form.add_error(None, exc.message)
                status = 400
        else:
            status = 400
    else:
        form = form_class(
            community=community, acting=acting, initial={"date": timezone.localdate()}
        )
    # Anonymous, the page is the same for everyone and comes from the page cache: the
    # CSRF token is fetched by form_token.js. Signed in (whom to book for) it is private.
    return form_page_response(
        request,
        template,
        {
            "form": form,
            "done": done,
            "cutoff": canteen.cutoff_time(),
            "signed_in": acting is not None,
            "can_sign_in": not request.user.is_authenticated,
        },
        status=status,
    )


def book(request):
    def act(form):
        data = form.cleaned_data
        return canteen.book(
            form.resident,
            data["date"],
            option=data["option"],
            by=request.user,
            channel=Meal.Channel.PORTAL,
            delivery=data["delivery"],
            note=data["note"],
        )

    return _form_page(request, BookingForm, "elderly/book.html", act)


def cancel(request):
    def act(form):
        meal = Meal.objects.filter(
            resident=form.resident, date=form.cleaned_data["date"], status=Meal.Status.BOOKED
        ).first()
        if meal is None:
            raise canteen.BookingError(_("There is no lunch booked on that day."))
        canteen.cancel(meal)
        return meal

    return _form_page(request, CancelForm, "elderly/cancel.html", act)


def _upcoming_query(community):
    return Activity.objects.filter(
        community=community, published=True, starts_at__gte=timezone.now()
    ).select_related("room")


def activity_list(request):
    community = current_community(request)

    def act(form):
        return activities.sign_up(form.cleaned_data["activity"], form.resident)

    response = _form_page(request, ActivitySignUpForm, "elderly/activities.html", act)
    items = list(_upcoming_query(community)[:50])
    from django.db.models import Count, Q

    taken = dict(
        SignUp.objects.filter(activity__in=[a.pk for a in items])
        .values("activity")
        .annotate(n=Count("id", filter=Q(status=SignUp.Status.CONFIRMED)))
        .values_list("activity", "n")
    )
    for activity in items:
        activity.places_left = max(activity.capacity - taken.get(activity.pk, 0), 0)
    response.context_data["activities"] = items
    return response
