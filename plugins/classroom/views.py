"""The portal: the classroom page (timetable, how to enrol), a guardian's look-up of
their child's attendance (reference number + phone's last four digits, rate-limited),
and a signed-in guardian's children."""

from __future__ import annotations

import datetime

from django.apps import apps
from django.contrib.auth.views import redirect_to_login
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

from anju.core import lazy_context
from anju.plugins import current_community
from anju.services import form_page_response

from .forms import LookupForm
from .models import Attendance, ClassGroup, Enrolment, Guardian, Term
from .services import ENROL_FORM

HISTORY_DAYS = 30


def _current_terms(request):
    community = current_community(request)
    terms = Term.objects.filter(ends_on__gte=timezone.localdate())
    if community is not None:
        terms = terms.filter(community=community)
    return terms.order_by("starts_on", "pk")


def index(request):
    """The classroom page, at /services/classroom/: the timetable and how to enrol. Kept
    rendered until a term, a class or an enrolment changes (``portal_models``,
    ``{% publishcache %}``), so a render costs no query."""
    community = current_community(request)

    def build():
        terms = list(_current_terms(request)[:3])
        classes = (
            ClassGroup.objects.filter(term__in=terms)
            .select_related("term", "in_charge")
            .annotate(
                taken=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED))
            )
            .order_by("term__starts_on", "starts_at", "pk")
        )
        by_term = {term.pk: (term, []) for term in terms}
        for klass in classes:
            klass.places_left = max(klass.capacity - klass.taken, 0)
            by_term[klass.term_id][1].append(klass)
        return {"terms": list(by_term.values())}

    context = lazy_context(build, ("terms",))
    context.update(
        enrol_url=reverse("classroom:service-form", kwargs={"form_slug": ENROL_FORM.slug}),
        fragment_key=f"{getattr(community, 'pk', '')}:{timezone.localdate().isoformat()}",
    )
    return TemplateResponse(request, "classroom/index.html", context)


def _history(enrolment: Enrolment) -> list[Attendance]:
    since = timezone.localdate() - datetime.timedelta(days=HISTORY_DAYS)
    return list(
        Attendance.objects.filter(enrolment=enrolment, day__gte=since)
        .select_related("picked_up_by")
        .order_by("-day")
    )


def attendance(request):
    """A guardian's look-up: enrolment reference + the last four digits of their
    phone. A wrong pair only says that nothing matches."""
    rate = apps.get_app_config("classroom").settings["lookup_rate"]
    found = None
    status = 200
    if request.method == "POST":
        form = LookupForm(request.POST)
        if is_ratelimited(
            request, group="classroom.lookup", key="ip", rate=rate, method="POST", increment=True
        ):
            form.is_valid()
            form.add_error(None, _("Too many tries from here. Please wait a while and try again."))
            status = 429
        elif form.is_valid():
            found = (
                Enrolment.objects.filter(
                    reference=form.cleaned_data["reference"],
                    child__in=Guardian.objects.filter(
                        phone_last4=form.cleaned_data["phone_last4"]
                    ).values("child_id"),
                )
                .exclude(reference="")
                .select_related("child", "klass__term")
                .first()
            )
            if found is None:
                form.add_error(None, _("Nothing matches that reference number and phone."))
                status = 404
        else:
            status = 400
    else:
        form = LookupForm()
    context = {"form": form, "enrolment": found}
    if found is not None:
        context["history"] = _history(found)
    # The empty look-up form is the same for everyone (cached; its CSRF token comes from
    # form_token.js); a child's attendance, shown after a post, is private.
    return form_page_response(request, "classroom/attendance.html", context, status=status)


def mine(request):
    """A signed-in guardian's children: those they enrolled on the portal."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    enrolments = list(
        Enrolment.objects.filter(
            child__in=Guardian.objects.filter(user=request.user).values("child_id")
        )
        .exclude(status=Enrolment.Status.CANCELLED)
        .select_related("child", "klass__term")
        .order_by("-created_at")
    )
    for enrolment in enrolments:
        enrolment.history = _history(enrolment)
    response = TemplateResponse(request, "classroom/mine.html", {"enrolments": enrolments})
    patch_cache_control(response, private=True)
    return response
