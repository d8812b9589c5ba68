"""The portal's gas-safety page, at /services/safety/: what to do if you smell gas
(the emergency numbers first, large and tappable), how to apply for piped gas, the next
safety talk, and reporting a hazard. Public: no account needed to read or to file."""

from django.apps import apps
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from anju.community import current_community

from .models import SafetyTalk
from .services import CONNECTION_FORM, HAZARD_FORM


def index(request):
    settings = apps.get_app_config("safety").settings
    community = current_community(request)
    next_talk = (
        SafetyTalk.objects.filter(community=community, starts_at__gte=timezone.now())
        .select_related("partner")
        .order_by("starts_at")
        .first()
        if community is not None
        else None
    )
    numbers = [
        {"label": label, "number": number, "tel": "".join(c for c in number if c.isdigit())}
        for label, number in settings["EMERGENCY_NUMBERS"]
    ]
    return TemplateResponse(
        request,
        "safety/index.html",
        {
            "numbers": numbers,
            "next_talk": next_talk,
            "connect_url": reverse(
                "safety:service-form", kwargs={"form_slug": CONNECTION_FORM.slug}
            ),
            "report_url": reverse("safety:service-form", kwargs={"form_slug": HAZARD_FORM.slug}),
        },
    )
