"""Open311 GeoReport v2 over the services engine, at /open311/v2/.

Existing Open311 clients (civic reporting apps, a county's 12345 hotline system) list
the service forms, read their fields, file requests and follow them unchanged:

========================================  =============================================
``GET  discovery.json|xml``               where the endpoint is and what it speaks
``GET  services.json|xml``                the forms residents can file here
``GET  services/<service_code>.json|xml`` a form's fields as GeoReport attributes
``POST requests.json|xml``                file a request (needs an API key)
``GET  requests.json|xml``                requests by id list, service, status, dates
``GET  requests/<id>.json|xml``           one request
========================================  =============================================

Mapping. ``service_code`` is the service's slug; ``service_request_id`` the case's
reference number. A form's fields are the attributes (``attribute[<name>]``); a file or
household field cannot be sent this way and is left out. The engine's statuses become
``open`` (submitted, accepted, in progress, escalated) or ``closed`` (resolved, closed,
rejected), with the detailed status in ``status_notes``; ``agency_responsible`` says
whether the grid or the community holds it. Requests read back carry public fields only:
never the requester, the phone, the answers, the household or its address.

Filing needs an API key (``api_key`` in the body, or ``Authorization: Bearer``): a
personal token, or an integration key with the ``requests:file`` scope, acting as its
user. ``description`` fills the form's first text field the attributes left empty;
``first_name``/``last_name`` and ``phone`` are the requester (a resident's own token
may leave the phone out). Location (``lat``/``long``, ``address_string``) is accepted
and not stored: the grid comes from the requester's household. A retry with the same
key and the same ``Idempotency-Key`` header (or ``idempotency_key`` field) answers the
first request's id and makes no second one.

Errors are GeoReport's: a list of ``{"code", "description"}`` with the HTTP status.
"""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import re_path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from anju.community.sites import current_community
from anju.permissions.urlscope import Scope
from anju.residents.models import ResidentAccount
from anju.services import Case, Requester, Status, submit
from anju.services.api.views import describe_form, filable_services
from anju.services.forms import RequesterForm, service_form_class

from .models import ApiToken
from .tokens import TokenAuthentication

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-04T00:00:00Z"
OPEN = {Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS, Status.ESCALATED}
DATATYPES = {
    "text": "string",
    "phone": "string",
    "id_number": "string",
    "long_text": "text",
    "number": "number",
    "date": "datetime",
    "boolean": "singlevaluelist",
    "choice": "singlevaluelist",
    "multiple_choice": "multivaluelist",
}
#: Element names of list items in the XML format, by the list's own name.
XML_ITEMS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
MAX_RESULTS = 1000
DEFAULT_DAYS = 90


class GeoReportError(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


# --- formats ------------------------------------------------------------------------


def _xml_value(parent, name: str, value) -> None:
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, list):
        item_name = XML_ITEMS.get(name, "item")
        for item in value:
            _xml_value(element, item_name, item)
    elif isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(element, key, inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def render(data, fmt: str, root: str, status: int = 200) -> HttpResponse:
    """``data`` as GeoReport JSON, or XML under ``<root>``."""
    if fmt == "xml":
        element = ElementTree.Element(root)
        items = data if isinstance(data, list) else [data]
        if isinstance(data, list):
            for item in items:
                _xml_value(element, XML_ITEMS.get(root, "item"), item)
        else:
            for key, value in data.items():
                _xml_value(element, key, value)
        body = ElementTree.tostring(element, encoding="unicode")
        return HttpResponse(
            '<?xml version="1.0" encoding="utf-8"?>' + body,
            status=status,
            content_type="text/xml; charset=utf-8",
        )
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _when(value) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- authentication -----------------------------------------------------------------


class ApiKeyAuthentication(TokenAuthentication):
    """GeoReport's ``api_key`` (query or form field), else the Bearer header."""

    def authenticate(self, request):
        key = request.query_params.get("api_key")
        if not key and request.method == "POST":
            key = request.data.get("api_key") if hasattr(request.data, "get") else None
        if key:
            return self.authenticate_raw(request, str(key).encode("ascii", "replace"))
        return super().authenticate(request)


class ReadThrottle(AnonRateThrottle):
    """Reading requests back is open to anyone: limited per address."""

    def get_rate(self):
        return getattr(settings, "OPEN311_READ_RATE", "300/hour")


class Open311View(APIView):
    grid_scope = Scope.PUBLIC
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ReadThrottle]
    #: XML root element of this view's answer.
    root = ""

    def handle_exception(self, exc):
        fmt = self.kwargs.get("fmt", "json")
        if isinstance(exc, GeoReportError):
            status, description = exc.status, exc.description
        elif isinstance(exc, Http404):
            status, description = 404, _("Not found.")
        elif isinstance(exc, exceptions.APIException):
            status, description = exc.status_code, str(exc.detail)
        else:
            return super().handle_exception(exc)
        response = render([{"code": status, "description": description}], fmt, "errors", status)
        if isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated):
            response["WWW-Authenticate"] = self.get_authenticate_header(self.request)
        if getattr(exc, "wait", None):
            response["Retry-After"] = str(int(exc.wait))
        return response


def _public_services(request) -> list[tuple]:
    return filable_services(request)


def _service(request, code: str):
    for service, spec in _public_services(request):
        if service.slug == code:
            return service, spec
    raise GeoReportError(404, _("No service has the code %(code)s.") % {"code": code})


def _attributes(service, spec, user) -> list[dict]:
    described = describe_form(service, spec, user, lambda _user: [])
    attributes = []
    for order, field in enumerate(described["fields"], start=1):
        datatype = DATATYPES.get(field["type"])
        if datatype is None:  # files and households cannot be sent this way
            continue
        values = [{"key": c["value"], "name": c["label"]} for c in field["choices"]]
        if field["type"] == "boolean" and not values:
            values = [{"key": "true", "name": _("Yes")}, {"key": "false", "name": _("No")}]
        attributes.append(
            {
                "variable": True,
                "code": field["name"],
                "datatype": datatype,
                "required": field["required"],
                "datatype_description": field["help_text"],
                "order": order,
                "description": field["label"],
                "values": values,
            }
        )
    return attributes


class DiscoveryView(Open311View):
    root = "discovery"

    def get(self, request, fmt):
        base = request.build_absolute_uri("/open311/v2/")
        return render(
            {
                "changeset": CHANGESET,
                "contact": _("The community's service station (便民服务站)."),
                "key_service": _(
                    "Ask the community's administrator for an integration key "
                    "with the requests:file scope."
                ),
                "endpoints": [
                    {
                        "specification": SPECIFICATION,
                        "url": base.rstrip("/"),
                        "changeset": CHANGESET,
                        "type": "production",
                        "formats": ["application/json", "text/xml"],
                    }
                ],
            },
            fmt,
            self.root,
        )


class ServiceListView(Open311View):
    root = "services"

    def get(self, request, fmt):
        services = []
        for service, spec in _public_services(request):
            described = describe_form(service, spec, request.user, lambda _user: [])
            services.append(
                {
                    "service_code": service.slug,
                    "service_name": described["title"],
                    "description": described["description"],
                    "metadata": bool(_attributes(service, spec, request.user)),
                    "type": "realtime",
                    "keywords": "",
                    "group": service.plugin or "",
                }
            )
        return render(services, fmt, self.root)


class ServiceDefinitionView(Open311View):
    root = "service_definition"

    def get(self, request, code, fmt):
        service, spec = _service(request, code)
        return render(
            {"service_code": service.slug, "attributes": _attributes(service, spec, request.user)},
            fmt,
            self.root,
        )


def _public_request(case: Case) -> dict:
    return {
        "service_request_id": case.reference,
        "status": "open" if case.status in OPEN else "closed",
        "status_notes": str(Status(case.status).label),
        "service_name": case.service.title,
        "service_code": case.service.slug,
        "description": None,
        "agency_responsible": str(case.get_level_display()),
        "service_notice": None,
        "requested_datetime": _when(case.created_at),
        "updated_datetime": _when(case.updated_at),
        "expected_datetime": _when(case.resolve_due) if case.status in OPEN else None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _public_cases(request):
    community = current_community(request)
    services = [service.pk for service, _spec in _public_services(request)]
    cases = Case.objects.filter(service_id__in=services).select_related("service")
    if community is not None:
        cases = cases.filter(community_id=community.pk)
    return cases


def _date_param(request, name: str):
    text = request.query_params.get(name)
    if not text:
        return None
    value = parse_datetime(text.replace(" ", "+"))
    if value is None:
        raise GeoReportError(
            400,
            _("%(name)s must be a W3C date and time, such as 2026-12-01T00:00:00+08:00.")
            % {"name": name},
        )
    return value if timezone.is_aware(value) else timezone.make_aware(value)


class RequestListView(Open311View):
    root = "service_requests"

    def get_throttles(self):
        return [] if self.request.method == "POST" else super().get_throttles()

    def get(self, request, fmt):
        cases = _public_cases(request)
        ids = [i.strip() for i in request.query_params.get("service_request_id", "").split(",")]
        ids = [i for i in ids if i]
        if ids:
            cases = cases.filter(reference__in=ids[:MAX_RESULTS])
        else:
            codes = [c for c in request.query_params.get("service_code", "").split(",") if c]
            if codes:
                cases = cases.filter(service__slug__in=codes)
            status = request.query_params.get("status", "")
            wanted = {s.strip() for s in status.split(",") if s.strip()}
            if wanted - {"open", "closed"}:
                raise GeoReportError(400, _("status is open or closed."))
            if wanted == {"open"}:
                cases = cases.filter(status__in=OPEN)
            elif wanted == {"closed"}:
                cases = cases.exclude(status__in=OPEN)
            end = _date_param(request, "end_date") or timezone.now()
            start = _date_param(request, "start_date") or end - dt.timedelta(days=DEFAULT_DAYS)
            if start > end:
                raise GeoReportError(400, _("start_date is after end_date."))
            cases = cases.filter(created_at__gte=start, created_at__lte=end)
        cases = cases.order_by("-created_at")[:MAX_RESULTS]
        return render([_public_request(case) for case in cases], fmt, self.root)

    def post(self, request, fmt):
        if not request.user.is_authenticated or not isinstance(request.auth, ApiToken):
            raise GeoReportError(403, _("Filing a request needs an api_key."))
        data = request.data
        code = data.get("service_code") or ""
        if not code:
            raise GeoReportError(400, _("service_code is required."))
        service, spec = _service(request, code)
        user = request.user
        form_class = service_form_class(service, user, spec.form_class if spec else None)
        answers = _answers(data, form_class)
        name = f"{data.get('last_name', '')}{data.get('first_name', '')}".strip()
        phone = data.get("phone") or _own_phone(user)
        key = request.headers.get("Idempotency-Key") or data.get("idempotency_key") or ""
        community = service.community or current_community(request)
        requester_form = RequesterForm(
            {
                "requester_name": name or user.get_full_name() or user.get_username(),
                "requester_phone": phone,
                "idempotency_key": key,
            },
            community=community,
        )
        form = form_class(answers)
        if not (requester_form.is_valid() & form.is_valid()):
            raise GeoReportError(400, _errors(requester_form, form))
        requester = Requester(
            name=requester_form.cleaned_data["requester_name"],
            phone=requester_form.cleaned_data["requester_phone"],
            user=user,
            building=None,
            room="",
        )
        try:
            case, _created = submit(
                service,
                form,
                requester=requester,
                community=community,
                idempotency_key=requester_form.cleaned_data.get("idempotency_key") or "",
                on_submit=spec.on_submit if spec else None,
            )
        except DjangoValidationError as exc:
            raise GeoReportError(400, " ".join(exc.messages)) from exc
        notice = _("Your reference number is %(reference)s.") % {"reference": case.reference}
        return render(
            [{"service_request_id": case.reference, "service_notice": notice, "account_id": None}],
            fmt,
            self.root,
            status=201 if _created else 200,
        )


def _own_phone(user) -> str:
    account = ResidentAccount.objects.filter(user=user).only("phone").first()
    return account.phone if account is not None else ""


def _answers(data, form_class) -> dict:
    """attribute[name]=value (and attribute[name][]=v for several) as the form's data;
    ``description`` fills the first text field left empty."""
    from django.http import QueryDict

    answers = QueryDict(mutable=True)
    for key in data:
        if not key.startswith("attribute["):
            continue
        name = key[len("attribute[") :].removesuffix("[]").removesuffix("]")
        if hasattr(data, "getlist"):
            values = data.getlist(key)
        else:
            value = data[key]
            values = value if isinstance(value, list) else [value]
        answers.setlist(name, [str(v) for v in values if not isinstance(v, dict | list)])
    description = data.get("description") or ""
    if description:
        for name, field in form_class.base_fields.items():
            if field.__class__.__name__ == "CharField" and not answers.get(name):
                answers[name] = description
                break
    return answers


def _errors(*forms) -> str:
    parts = []
    for form in forms:
        for name, errors in form.errors.items():
            label = name if name != "__all__" else ""
            text = " ".join(str(e) for e in errors)
            parts.append(f"{label}: {text}" if label else text)
    return "; ".join(parts)


class RequestDetailView(Open311View):
    root = "service_requests"

    def get(self, request, reference, fmt):
        case = _public_cases(request).filter(reference=reference).first()
        if case is None:
            raise GeoReportError(404, _("No request has the id %(id)s.") % {"id": reference})
        return render([_public_request(case)], fmt, self.root)


FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    re_path(r"^discovery" + FMT, DiscoveryView.as_view(), name="open311-discovery"),
    re_path(r"^services" + FMT, ServiceListView.as_view(), name="open311-services"),
    re_path(
        r"^services/(?P<code>[-a-zA-Z0-9_]+)" + FMT,
        ServiceDefinitionView.as_view(),
        name="open311-service",
    ),
    re_path(r"^requests" + FMT, RequestListView.as_view(), name="open311-requests"),
    re_path(
        r"^requests/(?P<reference>[0-9]{1,12})" + FMT,
        RequestDetailView.as_view(),
        name="open311-request",
    ),
]
