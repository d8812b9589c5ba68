"""The reference headless web app at /app/: a static page and one script, no build step,
that uses only the public API as any separate front end would (a token in
localStorage, never the session): a resident signs in by phone and SMS code, reads
notices and jobs from Wagtail's page API (/api/v2/pages/), files a request and
follows it. Its words come translated from this view; the script holds none."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

#: Page types the app lists, by Wagtail's "app_label.Model"; a type whose app is not
#: installed (a plugin left out) is skipped. Setting APP_PAGE_TYPES overrides it.
DEFAULT_PAGE_TYPES = ["notices.NoticePage", "employment.JobPostingPage"]

STRINGS = {
    "phone": _("Mobile number"),
    "code": _("Code from the SMS"),
    "send_code": _("Get code"),
    "sign_in": _("Sign in"),
    "sign_out": _("Sign out"),
    "code_sent": _("If this number can sign in, a code is on its way by SMS."),
    "signed_in_as": _("Signed in as"),
    "nothing": _("Nothing here yet."),
    "forms": _("Make a request"),
    "choose_form": _("Choose a service"),
    "your_name": _("Your name"),
    "your_phone": _("Your mobile number"),
    "submit": _("Submit"),
    "filed": _("Filed. Your reference number is"),
    "my_requests": _("My requests"),
    "refresh": _("Refresh"),
    "failed": _("It did not work:"),
    "sign_in_first": _("Sign in to make a request and follow it."),
}


def page_types() -> list[dict]:
    result = []
    for label in getattr(settings, "APP_PAGE_TYPES", DEFAULT_PAGE_TYPES):
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        result.append({"type": label, "title": str(model._meta.verbose_name_plural)})
    return result


@require_GET
def headless_app(request):
    context = {
        "config": {"pageTypes": page_types(), "api": "/api/"},
        "strings": {key: str(value) for key, value in STRINGS.items()},
    }
    return TemplateResponse(request, "anju_api/app.html", context)
