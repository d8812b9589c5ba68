"""Pickers of residents: search as you type, limited to what the role may see.

A form that asks "which resident?" never sends the register to the browser. Its field
is a ``ResidentPickerField`` bound to a *source*: a module-level function
``source(user) -> QuerySet`` of the residents that form may pick for that user (the
default, ``grid_residents``, is the user's grids: ``scope_queryset``). The field
renders a search box and only the chosen resident; the box asks ``pick_residents``
(``/admin/pick/residents/``), which answers from the same source, so the list and what
the form accepts are one rule. The source travels signed, so nobody can point the
search at another queryset.

Who may browse and who must search:

* people who see residents through grid seats (grid workers, resident
  representatives, the committee; a superuser) get up to ``PICKER_RESULTS`` of their
  grids' residents as they type — or without typing;
* everyone else a source lets pick residents (the service stations' staff, who hold no
  grid seat) must type the resident's name **and** room number: no results otherwise,
  so a register cannot be browsed. Their searches are written to the audit log
  (``pick_resident``) and rate-limited per user (``PICKER_RATE``).
"""

from __future__ import annotations

import re
from importlib import import_module

from django import forms
from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from anju.community.models import Resident
from anju.core import audit, ratelimits

from .scope import scope_queryset, visible_grids
from .urlscope import Scope, declare_scope

_SALT = "anju.permissions.pickers"
PICK_RESIDENT = "pick_resident"
_ROOM = re.compile(r"\d")


def results_limit() -> int:
    return int(getattr(settings, "PICKER_RESULTS", 20))


def picker_rate() -> str:
    return getattr(settings, "PICKER_RATE", "300/h")


def grid_residents(user) -> QuerySet:
    """The default source: the residents of the grids ``user`` may see."""
    return scope_queryset(Resident.objects.all(), user)


def browses_register(user) -> bool:
    """Whether ``user`` may pick from their grids' residents by name alone (they hold a
    grid seat, or are a superuser). Others must give name and room."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or visible_grids(user).exists()


def _source_path(source) -> str:
    path = f"{source.__module__}:{source.__qualname__}"
    if "<" in path:  # a lambda or a nested function cannot be found again
        raise TypeError(f"A picker source must be a module-level function, not {path}")
    return path


def sign_source(source, *args) -> str:
    """A token naming ``source`` and the extra arguments it is called with (ids: JSON
    values), signed so that only the server can make one."""
    return signing.dumps([_source_path(source), list(args)], salt=_SALT)


def load_source(token: str):
    """The source a signed token names, as ``user -> QuerySet``; ``None`` for a bad
    token."""
    try:
        path, args = signing.loads(token, salt=_SALT)
        module, name = path.split(":", 1)
        function = import_module(module)
        for part in name.split("."):
            function = getattr(function, part)
    except (signing.BadSignature, ValueError, ImportError, AttributeError, TypeError):
        return None
    if not callable(function):
        return None
    return lambda user: function(user, *args)


def label(resident) -> str:
    """How a resident is shown in a picker: name and address, no numbers."""
    household = resident.household
    return f"{resident.name} · {household.building.name}{household.unit}{household.room}"


def search(queryset: QuerySet, user, query: str) -> tuple[list, str]:
    """The residents of ``queryset`` matching ``query`` for ``user``, at most
    ``PICKER_RESULTS``, and a message saying what to type when there are none to show.
    Words with digits are matched against the room, other words against the name."""
    words = (query or "").split()
    rooms = [w for w in words if _ROOM.search(w)]
    names = [w for w in words if not _ROOM.search(w)]
    queryset = queryset.select_related("household__building")
    if not browses_register(user):
        if not names or sum(len(n) for n in names) < 2 or not rooms:
            return [], _("Type the resident's name and room number, for example “张三 302”.")
        for room in rooms:
            queryset = queryset.filter(household__room=room)
    else:
        for room in rooms:
            queryset = queryset.filter(household__room__icontains=room)
    for name in names:
        queryset = queryset.filter(name__icontains=name)
    found = list(queryset.order_by("name", "pk")[: results_limit()])
    if not found:
        return [], _("Nobody found. Check the name and room number.")
    return found, ""


@require_GET
@declare_scope(Scope.GRID)
def pick_residents(request):
    """``GET /admin/pick/residents/?source=<signed>&q=<name and room>``: JSON
    ``{"results": [{"id", "label"}], "message"}``. 400 for a bad source, 429 when the
    user has searched too often (fails closed: the register is what it protects)."""
    source = load_source(request.GET.get("source", ""))
    if source is None:
        return JsonResponse({"results": [], "message": _("This picker is not valid.")}, status=400)
    user = request.user
    browsing = browses_register(user)
    if not browsing:
        verdict = ratelimits.check(
            request, "anju.pickers", picker_rate(), fail_open=False, method="GET", key="user"
        )
        if verdict:
            message = (
                ratelimits.UNAVAILABLE_MESSAGE
                if verdict is ratelimits.Verdict.UNAVAILABLE
                else _("Too many searches for residents. Please wait a while and try again.")
            )
            return JsonResponse({"results": [], "message": str(message)}, status=429)
    found, message = search(source(user), user, request.GET.get("q", "")[:100])
    if found and not browsing:
        audit.record(request, PICK_RESIDENT, found, where="picker")
    return JsonResponse(
        {"results": [{"id": r.pk, "label": label(r)} for r in found], "message": message}
    )


class ResidentPicker(forms.Select):
    """A search box and a select holding only the chosen resident(s); the script in
    the template fills the select from ``pick_residents`` as the user types."""

    template_name = "anju_permissions/resident_picker.html"
    source_token = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["picker"] = {
            "url": reverse("permissions_pick_residents"),
            "source": self.source_token,
            "placeholder": _("Name and room, e.g. 张三 302"),
        }
        return context

    def optgroups(self, name, value, attrs=None):
        # Only the chosen rows: iterating the choices would send the whole register.
        values = [v for v in (value or []) if v not in ("", None)]
        chosen = []
        iterator = getattr(self, "choices", None)
        queryset = getattr(iterator, "queryset", None)
        if values and queryset is not None:
            try:
                chosen = list(queryset.filter(pk__in=values).select_related("household__building"))
            except (ValueError, TypeError):
                chosen = []
        options = []
        if not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "---------", not chosen, 0))
        for index, resident in enumerate(chosen, start=1):
            options.append(self.create_option(name, str(resident.pk), label(resident), True, index))
        return [(None, options, 0)]


class ResidentPickerMultiple(ResidentPicker):
    allow_multiple_selected = True


def use_picker(field: forms.ModelChoiceField, user, source=grid_residents, *args) -> forms.Field:
    """Make ``field`` (a ModelChoiceField or ModelMultipleChoiceField of residents) a
    scoped picker: it accepts the residents ``source(user, *args)`` gives and renders
    the search box, whose searches use the same source. ``source`` is a module-level
    function; ``args`` are JSON values such as ids (signed into the page, so the
    source still checks what the user may see). Returns the field."""
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    widget = (ResidentPickerMultiple if multiple else ResidentPicker)(attrs=field.widget.attrs)
    widget.source_token = sign_source(source, *args)
    widget.is_required = field.required
    field.widget = widget
    queryset = source(user, *args).select_related("household__building")
    field.queryset = queryset  # sets widget.choices
    field.label_from_instance = label
    return field


class ResidentPickerField(forms.ModelChoiceField):
    """A resident field for forms built by hand: ``ResidentPickerField(source=...)``,
    then ``field.bind(user)`` in the form's ``__init__`` (until bound it accepts
    nobody)."""

    def __init__(self, *, source=grid_residents, **kwargs):
        kwargs.setdefault("label", gettext_lazy("Resident"))
        super().__init__(queryset=Resident.objects.none(), **kwargs)
        self.source = source

    def bind(self, user):
        return use_picker(self, user, self.source)
