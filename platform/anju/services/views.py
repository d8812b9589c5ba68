"""The portal's side of the services engine: filing a request, tracking it by reference
number and phone, and a signed-in resident's own requests.

Every form here keeps what the resident typed when something is wrong and says what,
in their language; a double submit makes one case.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from anju.community.sites import current_community
from anju.core import ratelimits
from anju.core.middleware import body_too_big

from .forms import RequesterForm, ResidentFollowUpForm, TrackForm, service_form_class
from .models import Case, CaseAttachment, CaseEvent, Service, Status
from .submission import Requester, format_reference, submit
from .visibility import own_cases
from .workflow import WorkflowError, follow_up


def submit_rate() -> str:
    return getattr(settings, "SERVICES_SUBMIT_RATE", "20/h")


def track_rate() -> str:
    return getattr(settings, "SERVICES_TRACK_RATE", "30/h")


def limited(request, group: str, rate: str, *, fail_open: bool) -> ratelimits.Verdict:
    """Count this request against ``rate`` per client address (django-ratelimit). With
    the counters unreachable, ``fail_open`` says whether it goes on (anju.core.ratelimits)."""
    return ratelimits.check(request, f"anju.services.{group}", rate, fail_open=fail_open)


def handle_request_form(
    request,
    service: Service,
    *,
    template: str,
    context: dict,
    code_form_class=None,
    on_submit=None,
    community=None,
):
    """GET shows the form; POST files the case (or shows the errors, keeping the
    answers). Used by staff-built form pages and plugins' code-defined forms alike."""
    if not service.is_active:
        raise Http404
    user = request.user
    if not service.allow_anonymous and not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form_class = service_form_class(service, user, code_form_class)
    if community is None:
        community = service.community or current_community(request)
    if request.method == "POST":
        requester_form = RequesterForm(request.POST, prefix="requester", community=community)
        form = form_class(request.POST, request.FILES)
        too_big = body_too_big(request)
        # Fails open: a request is filed whatever the state of the rate-limit store.
        if too_big:
            # The answers came back as far as they could be read: shown, never filed.
            requester_form.is_valid()
            form.is_valid()
            requester_form.add_error(None, too_big)
            status = 413
        elif limited(request, "submit", submit_rate(), fail_open=True):
            requester_form.add_error(
                None, _("Too many requests from here. Please wait a while and try again.")
            )
            status = 429
        elif requester_form.is_valid() & form.is_valid():
            requester = Requester(
                name=requester_form.cleaned_data["requester_name"],
                phone=requester_form.cleaned_data["requester_phone"],
                user=user if user.is_authenticated else None,
                building=requester_form.cleaned_data.get("building"),
                room=requester_form.cleaned_data.get("room", ""),
            )
            case, _created = submit(
                service,
                form,
                requester=requester,
                community=community,
                idempotency_key=requester_form.cleaned_data.get("idempotency_key") or "",
                on_submit=on_submit,
            )
            done = {**context, "case": case, "reference": format_reference(case.reference)}
            return TemplateResponse(request, "anju_services/submitted.html", done)
        else:
            status = 400
    else:
        initial = {}
        if user.is_authenticated:
            initial["requester_name"] = user.get_full_name() or ""
        else:
            # The page is the same for every anonymous visitor, so it can be cached: the
            # CSRF token and the one-time key come from form_token (form_token.js).
            initial["idempotency_key"] = ""
        requester_form = RequesterForm(prefix="requester", initial=initial, community=community)
        form = form_class()
        status = 200
    token_by_script = script_token(request)
    context = {
        **context,
        "service": service,
        "form": form,
        "requester_form": requester_form,
        "has_files": any(f.widget.needs_multipart_form for f in form.fields.values()),
        "token_by_script": token_by_script,
        # The same form for every anonymous visitor: kept rendered until the next
        # publish ({% publishcache %}); never with a token or answers in it.
        "form_fragment_key": request.path if token_by_script else "",
    }
    return form_page_response(request, template, context, status=status)


def script_token(request) -> bool:
    """Whether a portal form's page gets its CSRF token from form_token.js: a GET by an
    anonymous visitor, whose page is the same for everyone and so may be cached. A
    signed-in visitor, or a post's answers shown again, get the token in the page."""
    return request.method != "POST" and not request.user.is_authenticated


def form_page_response(request, template, context, *, status=200) -> TemplateResponse:
    """A portal form's page: ``token_by_script`` in the context for the template's
    ``anju_services/_token_*.html`` includes, and ``Cache-Control: private`` whenever the
    page carries a token (or anything else of one visitor's)."""
    token_by_script = script_token(request)
    response = TemplateResponse(
        request, template, {**context, "token_by_script": token_by_script}, status=status
    )
    if not token_by_script:
        patch_cache_control(response, private=True)  # a CSRF token and a one-time key
    return response


@never_cache
@require_http_methods(["GET"])
def form_token(request):
    """The CSRF token (setting its cookie) and a fresh one-time key for a service form
    served from the page cache: ``{"csrf": ..., "key": ...}``. Never cached."""
    return JsonResponse({"csrf": get_token(request), "key": uuid.uuid4().hex})


def serve_form_page(page, request):
    """ServiceFormPage.serve: a staff-built form, published as a portal page."""
    if request.method not in ("GET", "HEAD", "POST"):
        from django.http import HttpResponseNotAllowed

        return HttpResponseNotAllowed(["GET", "POST"])
    context = page.get_context(request)
    return handle_request_form(
        request, page.service, template=page.get_template(request), context=context
    )


def public_timeline(case: Case):
    return (
        CaseEvent.objects.filter(case=case, public=True)
        .only("kind", "to_status", "text", "created_at", "case_id")
        .order_by("created_at", "pk")
    )


def _case_context(case: Case, *, with_answers: bool = False) -> dict:
    """What a resident sees of ``case``. ``with_answers`` only for their own case when
    signed in: a reference number and four digits are too easy to come by to show what
    was asked to whoever holds them."""
    from .fieldtypes import answer_rows

    return {
        "case": case,
        # What they asked, in their language; phone numbers masked as everywhere public.
        "answers": answer_rows(case, mask_phones=True) if with_answers else [],
        "reference": format_reference(case.reference),
        "events": public_timeline(case),
        "attachments": CaseAttachment.objects.filter(case=case, public=True),
    }


@require_http_methods(["GET", "POST"])
def track(request):
    """Follow a case by reference number and the last four digits of the phone — no
    account needed. Only the status and public replies are shown."""
    form = TrackForm(request.POST or None)
    context = {"form": form}
    status = 200
    if request.method == "POST":
        # Fails closed: an unlimited tracker would let anyone guess references.
        verdict = limited(request, "track", track_rate(), fail_open=False)
        if verdict:
            form.is_valid()
            if verdict is ratelimits.Verdict.UNAVAILABLE:
                form.add_error(None, ratelimits.UNAVAILABLE_MESSAGE)
                status = 503
            else:
                form.add_error(None, _("Too many tries. Please wait a while and try again."))
                status = 429
        elif form.is_valid():
            case = (
                Case.objects.select_related("service", "version")
                .filter(
                    reference=form.cleaned_data["reference"],
                    phone_last4=form.cleaned_data["phone_last4"],
                )
                .first()
            )
            if case is None:
                # One message for both mistakes: nobody learns which numbers exist.
                form.add_error(
                    None, _("No request matches that reference number and phone number.")
                )
                status = 404
            else:
                context.update(_case_context(case))
        else:
            status = 400
    response = TemplateResponse(request, "anju_services/track.html", context, status=status)
    patch_cache_control(response, private=True)  # one resident's case
    return response


def my_cases(request):
    """A signed-in resident's requests."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    cases = own_cases(request.user).select_related("service").order_by("-created_at")[:200]
    return TemplateResponse(request, "anju_services/my_cases.html", {"cases": cases})


@require_http_methods(["GET", "POST"])
def my_case(request, reference: str):
    """One of the resident's own cases, and their side of the 回访 once it is resolved:
    the same ``workflow.follow_up`` staff record."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    case = (
        own_cases(request.user)
        .select_related("service", "version")
        .filter(reference=reference)
        .first()
    )
    if case is None:
        raise Http404
    form, status = None, 200
    if case.status == Status.RESOLVED:
        form = ResidentFollowUpForm(request.POST if request.method == "POST" else None)
        if request.method == "POST":
            if form.is_valid():
                try:
                    follow_up(
                        case,
                        request.user,
                        settled=form.cleaned_data["settled"],
                        satisfaction=form.cleaned_data["satisfaction"],
                        note=form.cleaned_data["note"],
                    )
                except WorkflowError as exc:
                    form.add_error(None, exc.message)
                    status = 400
                else:
                    return HttpResponseRedirect(request.path + "?answered=1")
            else:
                status = 400
    elif request.method == "POST":
        status = 400  # answered already, or not resolved yet: the page says where it is
    context = {
        **_case_context(case, with_answers=True),
        "follow_up_form": form,
        "answered": request.GET.get("answered") == "1",
    }
    return TemplateResponse(request, "anju_services/case.html", context, status=status)
