from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse

from .services import REPORT_FORM


def _track_url() -> str:
    try:
        return reverse("anju_services:track")
    except NoReverseMatch:  # the namespace is shadowed by the admin's; the route is fixed
        return "/cases/track/"


def index(request):
    """The plugin's portal page, at /services/disputes/: what the service is, the report
    form, and where to follow a report (the engine's tracking page: status only)."""
    context = {
        "form_url": reverse("disputes:service-form", kwargs={"form_slug": REPORT_FORM.slug}),
        "track_url": _track_url(),
    }
    return TemplateResponse(request, "disputes/index.html", context)
