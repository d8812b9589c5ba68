"""The residents' own pages on the portal.

Signed-in pages are never cached (the session cookie keeps them out of the anonymous
cache) and show only the account's own things: another household's message or case
answers 404, the same as one that does not exist.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import is_ratelimited

from anju.community.models import GridTeamMember, Resident, ResidentLink, TeamRole
from anju.notify.models import Message
from anju.permissions import lockout

from . import linking, signin
from .forms import CodeForm, EmailForm, LinkNoteForm, PhoneForm
from .household import household_items

MESSAGES_PER_PAGE = 30


def code_rate() -> str:
    return getattr(settings, "RESIDENTS_CODE_RATE", "10/h")


def verify_rate() -> str:
    return getattr(settings, "RESIDENTS_VERIFY_RATE", "30/h")


def _limited(request, group: str, rate: str) -> bool:
    return is_ratelimited(
        request, group=f"anju.residents.{group}", key="ip", rate=rate, method="POST", increment=True
    )


def resident_required(view):
    """Signed-in people only; everyone else goes to the portal's sign-in (never the
    staff admin's)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("residents:sign-in"))
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapper


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return ""


def _no_cache(response):
    response._anju_no_cache = True
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
def sign_in(request):
    """Phone number, then the six-digit code from the SMS. The answer to "send me a
    code" is the same whether the number is registered or not."""
    next_url = _safe_next(request)
    phone_form, code_form, status = PhoneForm(), None, 200
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "send":
        phone_form = PhoneForm(request.POST)
        if _limited(request, "code", code_rate()):
            phone_form.is_valid()
            phone_form.add_error(None, _("Too many codes asked for from here. Please try later."))
            status = 429
        elif phone_form.is_valid():
            phone = phone_form.cleaned_data["phone"]
            try:
                signin.send_code(phone)
            except signin.CodeError as exc:
                phone_form.add_error(None, str(exc))
                status = 429
            else:
                code_form = CodeForm(initial={"phone": phone})
        else:
            status = 400
    elif action == "verify":
        code_form = CodeForm(request.POST)
        if _limited(request, "verify", verify_rate()):
            code_form.is_valid()
            code_form.add_error(None, _("Too many tries from here. Please try later."))
            status = 429
        elif code_form.is_valid():
            phone = code_form.cleaned_data["phone"]
            # Wrong codes count as failed logins for this phone from this address
            # (django-axes, anju.permissions.lockout): past the limit the sign-in
            # answers 429 until the cool-off ends or an administrator unlocks it.
            account_name = signin.lockout_username(phone)
            if lockout.is_locked(request, account_name):
                return lockout.lockout_response(request, None, {"username": account_name})
            try:
                user = signin.sign_in(phone, code_form.cleaned_data["code"])
            except signin.CodeError as exc:
                if lockout.login_failed(request, account_name):
                    return lockout.lockout_response(request, None, {"username": account_name})
                code_form.add_error("code", str(exc))
                status = 400
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return HttpResponseRedirect(next_url or reverse("residents:home"))
        else:
            status = 400
    context = {"phone_form": phone_form, "code_form": code_form, "next": next_url}
    return _no_cache(TemplateResponse(request, "residents/sign_in.html", context, status=status))


@require_POST
def sign_out(request):
    logout(request)
    return HttpResponseRedirect("/")


@resident_required
@require_http_methods(["GET", "POST"])
def home(request):
    user = request.user
    email_form = EmailForm(initial={"email": user.email})
    note_form = LinkNoteForm()
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "email":
            email_form = EmailForm(request.POST)
            if email_form.is_valid():
                user.email = email_form.cleaned_data["email"]
                user.save(update_fields=["email"])
                return HttpResponseRedirect(reverse("residents:home") + "?saved=email")
            status = 400
        elif request.POST.get("action") == "note":
            note_form = LinkNoteForm(request.POST)
            if note_form.is_valid():
                ResidentLink.objects.pending().filter(user=user).update(
                    note=note_form.cleaned_data["note"]
                )
                return HttpResponseRedirect(reverse("residents:home") + "?saved=note")
            status = 400
    links = list(
        ResidentLink.objects.filter(user=user)
        .exclude(state=ResidentLink.State.REJECTED)
        .select_related("resident__household__building")
    )
    from anju.notices.queries import notices_for_residents

    residents = list(
        linking.linked_residents(user)
        .select_related("household__building")
        .prefetch_related("groups")
    )
    context = {
        "links": links,
        "confirmed": [link for link in links if link.state == ResidentLink.State.CONFIRMED],
        "pending": [link for link in links if link.state == ResidentLink.State.PENDING],
        "unread": Message.objects.inbox(user).unread().count(),
        "notices": notices_for_residents(residents)[:10] if residents else [],
        "email_form": email_form,
        "note_form": note_form,
        "saved": request.GET.get("saved"),
    }
    return TemplateResponse(request, "residents/home.html", context, status=status)


@resident_required
def household(request):
    """My household: members (ID numbers masked), the grid and its "3个1" team with
    their work phones, what the household is entitled to or due for."""
    households = list(
        linking.households_of(request.user)
        .select_related("building__grid")
        .prefetch_related(
            Prefetch("residents", queryset=Resident.objects.order_by("pk")),
            Prefetch(
                "building__grid__team",
                queryset=GridTeamMember.objects.select_related("user").order_by("role"),
            ),
        )
        .order_by("pk")
    )
    rows = []
    for item in households:
        team = list(item.building.grid.team.all())
        rows.append(
            {
                "household": item,
                "members": list(item.residents.all()),
                "grid": item.building.grid,
                "team": team,
                "grid_worker": next((s for s in team if s.role == TeamRole.GRID_WORKER), None),
                "items": household_items(item, request),
            }
        )
    return TemplateResponse(request, "residents/household.html", {"households": rows})


@resident_required
@require_http_methods(["GET", "POST"])
def messages_list(request):
    inbox = Message.objects.inbox(request.user)
    if request.method == "POST" and request.POST.get("action") == "read_all":
        inbox.mark_read()
        return HttpResponseRedirect(reverse("residents:messages"))
    page = Paginator(inbox, MESSAGES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(message, _rendered(message)) for message in page.object_list]
    return TemplateResponse(
        request,
        "residents/messages.html",
        {"page": page, "rows": rows, "unread": inbox.unread().count()},
    )


def _rendered(message):
    from anju.notify import TemplateError
    from anju.notify.templating import Rendered

    try:
        return message.render()
    except TemplateError:
        return Rendered(subject=_("(This message cannot be shown.)"), body="")


@resident_required
def message_detail(request, pk: int):
    message = get_object_or_404(Message.objects.inbox(request.user), pk=pk)
    message.mark_read()
    return TemplateResponse(
        request, "residents/message.html", {"message": message, "rendered": _rendered(message)}
    )
