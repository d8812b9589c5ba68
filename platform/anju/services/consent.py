"""Consent to filing on behalf (代办): the resident agrees, and the case keeps the proof.

Two ways, as grid workers do it at the door or on the phone:

- a code: staff ask for one (``send_code``), it goes by SMS to the resident's phone, the
  resident reads it back and staff type it into the filing form (checked once, expiring:
  anju.notify.codes);
- a photo (or PDF) of the authorisation the resident signed, kept with the case as a
  staff-only attachment.

Both ways of filing on behalf ask for it the same way: the admin's filing form
(admin.behalf.FileOnBehalfView, fields ``consent-method``, ``consent-code``,
``consent-photo``) and the API (``POST /api/services/forms/<slug>/submit/`` with
``on_behalf_household``: ``consent_method``, ``consent_code`` or ``consent_photo``; the
code is sent by ``POST /api/services/forms/<slug>/consent-code/``). Each validates a
``ConsentForm`` with the rest, checks the code against the requester's phone
(``verify``) and calls ``record`` once the case exists; the case page and the API's case
detail show the consent.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anju.community.idnumbers import mask_phone
from anju.notify.codes import CodeError, check_code, issue_code
from anju.notify.models import OneTimeCode
from anju.notify.templating import register_template

from .models import CaseConsent

CONSENT_TEMPLATE = "services.consent_code"

register_template(
    CONSENT_TEMPLATE,
    gettext_lazy("Consent code"),
    gettext_lazy(
        "{staff} is filing “{service}” for you. If you agree, read this code to them: "
        "{code} (valid for {minutes} minutes)."
    ),
)


def subject_for(service) -> str:
    return f"service:{service.pk}"


def send_code(phone: str, service, staff) -> OneTimeCode:
    """Send the resident a consent code for filing ``service``. Raises CodeError."""
    return issue_code(
        phone,
        OneTimeCode.Purpose.CONSENT,
        template=CONSENT_TEMPLATE,
        subject=subject_for(service),
        payload={
            "staff": staff.get_full_name() or staff.get_username(),
            "service": service.title,
        },
    )


class SendCodeForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("Resident's phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    def clean_phone(self):
        from anju.community.idnumbers import validate_phone
        from anju.community.models import normalise_phone

        value = normalise_phone(self.cleaned_data["phone"])
        validate_phone(value)
        return value


class ConsentForm(forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("How did the resident agree?"),
        choices=[(m.value, m.label) for m in CaseConsent.FILING_METHODS],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Record how the resident agreed to this.")},
    )
    code = forms.CharField(
        label=gettext_lazy("Code the resident read back"), required=False, max_length=6
    )
    photo = forms.FileField(label=gettext_lazy("Photo of the signed authorisation"), required=False)

    def clean(self):
        cleaned = super().clean()
        method = cleaned.get("method")
        if method == CaseConsent.Method.SMS_CODE and not (cleaned.get("code") or "").strip():
            self.add_error("code", _("Type the code the resident read back to you."))
        if method == CaseConsent.Method.SIGNED_PHOTO:
            photo = cleaned.get("photo")
            if not photo:
                self.add_error("photo", _("Attach a photo of the signed authorisation."))
            else:
                from .uploads import validate_upload

                try:
                    validate_upload(photo)
                except ValidationError as error:
                    self.add_error("photo", error)
        return cleaned

    def verify(self, phone: str, service) -> bool:
        """Check the code against the requester's phone (using it up); for a photo,
        nothing more to check. Call once everything else on the page is valid."""
        if self.cleaned_data["method"] != CaseConsent.Method.SMS_CODE:
            return True
        try:
            check_code(
                phone,
                self.cleaned_data["code"],
                OneTimeCode.Purpose.CONSENT,
                subject=subject_for(service),
            )
        except CodeError as error:
            self.add_error("code", str(error))
            return False
        return True


def api_form(data, files) -> ConsentForm:
    """The consent as the API sends it: ``consent_method`` (``sms_code`` or
    ``signed_photo``), ``consent_code`` and ``consent_photo`` (multipart)."""
    photo = files.get("consent_photo") if files else None
    return ConsentForm(
        {"method": data.get("consent_method") or "", "code": data.get("consent_code") or ""},
        {"photo": photo} if photo else {},
    )


#: The API's names of ConsentForm's fields, for its field errors.
API_FIELDS = {"method": "consent_method", "code": "consent_code", "photo": "consent_photo"}


def record(case, form: ConsentForm, staff) -> CaseConsent:
    from .workflow import add_attachment

    attachment = None
    if form.cleaned_data["method"] == CaseConsent.Method.SIGNED_PHOTO:
        attachment = add_attachment(
            case, form.cleaned_data["photo"], actor=staff, public=False, field="consent"
        )
    return CaseConsent.objects.create(
        case=case,
        method=form.cleaned_data["method"],
        phone_masked=mask_phone(case.requester_phone or ""),
        attachment=attachment,
        recorded_by=staff,
    )


def record_at_visit(case, staff) -> CaseConsent:
    """The consent of a case the resident asked the staff member for in person, at a
    visit: a campaign visit's answer (anju.campaigns.answering), or a matter heard on a
    grid worker's round (``submit(..., consent_at_visit=True)``)."""
    return CaseConsent.objects.create(
        case=case,
        method=CaseConsent.Method.AT_VISIT,
        phone_masked=mask_phone(case.requester_phone or ""),
        recorded_by=staff,
    )


__all__ = [
    "ConsentForm",
    "SendCodeForm",
    "send_code",
    "record",
    "record_at_visit",
    "api_form",
    "CodeError",
]
