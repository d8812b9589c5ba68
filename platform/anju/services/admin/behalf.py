"""Filing a request on a resident's behalf (代办): choose a built form, then fill it in with
who the resident is and which household of the user's grids it is for."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from anju.community.models import Household

from .. import consent
from ..fieldtypes import HouseholdField, household_queryset
from ..forms import RequesterForm, service_form_class
from ..models import (
    Service,
)
from ..submission import Requester, format_reference, submit
from .common import FILE_ON_BEHALF, CaseAdminMixin, services_for

# --- filing on a resident's behalf (代办) ----------------------------------------------


def on_behalf_services(user):
    """Built forms open for requests in the user's communities. Plugins' code-defined
    forms are filed on their own pages (their forms may need the plugin's context)."""
    return services_for(user).filter(is_active=True, kind=Service.Kind.BUILT).order_by("title")


class BehalfHouseholdField(HouseholdField):
    def label_from_instance(self, obj):
        return f"{obj.building.grid.name} · {obj.address}"


class HouseholdChoiceForm(forms.Form):
    """Which household the request is for: only households of the user's grids."""

    household = BehalfHouseholdField(
        label=gettext_lazy("Household"), queryset=Household.objects.none()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = (
            household_queryset(user)
            .select_related("building__grid")
            .order_by("building__grid__number", "building__name", "unit", "room")
        )


class FileOnBehalfChooseView(CaseAdminMixin, WagtailAdminTemplateMixin, TemplateView):
    permission = FILE_ON_BEHALF
    template_name = "anju_services/admin/file_choose.html"
    page_title = gettext_lazy("File a request on a resident's behalf")
    header_icon = "edit"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["services"] = on_behalf_services(self.request.user).select_related("community")
        return context


class FileOnBehalfView(CaseAdminMixin, WagtailAdminTemplateMixin, TemplateView):
    """The service's own form, who the resident is and their household; submitted
    through ``submission.submit`` with the staff member as ``filed_by``."""

    permission = FILE_ON_BEHALF
    template_name = "anju_services/admin/file_form.html"
    header_icon = "edit"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.service = None

    def get_page_title(self):
        return _("File on behalf: %(service)s") % {"service": self.service.title}

    def get_breadcrumbs_items(self):
        return list(self.breadcrumbs_items) + [
            {"url": reverse("anju_cases"), "label": _("Cases")},
            {"url": reverse("anju_cases_file"), "label": _("File on behalf")},
            {"url": "", "label": self.service.title},
        ]

    def _service(self, pk):
        return get_object_or_404(on_behalf_services(self.request.user), pk=pk)

    def get(self, request, service_pk):
        self.service = self._service(service_pk)
        form_class = service_form_class(self.service, request.user)
        return self.render_to_response(
            self.get_context_data(
                form=form_class(),
                requester_form=RequesterForm(prefix="requester", on_behalf=True),
                household_form=HouseholdChoiceForm(prefix="behalf", user=request.user),
                consent_form=consent.ConsentForm(prefix="consent"),
            )
        )

    def post(self, request, service_pk):
        self.service = self._service(service_pk)
        user = request.user
        form = service_form_class(self.service, user)(request.POST, request.FILES)
        requester_form = RequesterForm(request.POST, prefix="requester", on_behalf=True)
        household_form = HouseholdChoiceForm(request.POST, prefix="behalf", user=user)
        consent_form = consent.ConsentForm(request.POST, request.FILES, prefix="consent")
        valid = form.is_valid() & requester_form.is_valid() & household_form.is_valid()
        valid = consent_form.is_valid() & valid and consent_form.verify(
            requester_form.cleaned_data["requester_phone"], self.service
        )
        if valid:
            try:
                case, created = submit(
                    self.service,
                    form,
                    requester=Requester(
                        name=requester_form.cleaned_data["requester_name"],
                        phone=requester_form.cleaned_data["requester_phone"],
                    ),
                    household=household_form.cleaned_data["household"],
                    filed_by=user,
                    idempotency_key=requester_form.cleaned_data.get("idempotency_key") or "",
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                reference = format_reference(case.reference)
                if created:
                    consent.record(case, consent_form, user)
                    messages.success(
                        request,
                        _(
                            "Request filed. Its reference number is %(reference)s: "
                            "tell the resident."
                        )
                        % {"reference": reference},
                    )
                else:
                    messages.info(
                        request,
                        _("This request had already been filed as %(reference)s.")
                        % {"reference": reference},
                    )
                return redirect("anju_case", pk=case.pk)
        messages.error(request, _("The request was not filed: see the errors below."))
        context = self.get_context_data(
            form=form,
            requester_form=requester_form,
            household_form=household_form,
            consent_form=consent_form,
        )
        return self.render_to_response(context, status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["service"] = self.service
        context["has_files"] = True  # the consent's signed authorisation may be a photo
        return context
