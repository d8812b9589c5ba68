"""The admin's "send the resident a consent code" step of filing on behalf (代办)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from anju.community.idnumbers import mask_phone
from anju.permissions.urlscope import Scope

from . import consent

FILE_ON_BEHALF = "services.file_on_behalf"


class SendConsentCodeView(View):
    """POST a phone: the resident gets a code by SMS; back to the filing form."""

    grid_scope = Scope.GRID  # no rows are read but the services the user may file
    http_method_names = ["post"]

    def post(self, request, service_pk):
        from .admin.behalf import on_behalf_services

        if not request.user.has_perm(FILE_ON_BEHALF):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        service = get_object_or_404(on_behalf_services(request.user), pk=service_pk)
        form = consent.SendCodeForm(request.POST)
        if not form.is_valid():
            messages.error(request, "; ".join(form.errors["phone"]))
        else:
            phone = form.cleaned_data["phone"]
            try:
                consent.send_code(phone, service, request.user)
            except consent.CodeError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("A code has been sent to %(phone)s. Ask the resident to read it to you.")
                    % {"phone": mask_phone(phone)},
                )
        return redirect("anju_cases_file_form", service_pk=service.pk)


def urlpatterns():
    return [
        path(
            "cases/file/<int:service_pk>/consent-code/",
            SendConsentCodeView.as_view(),
            name="anju_cases_consent_code",
        )
    ]
