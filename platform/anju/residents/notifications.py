"""The messages this app sends, through the notify outbox."""

from django.utils.translation import gettext_lazy as _

from anju.notify.templating import register_template

SIGN_IN_CODE = "residents.sign_in_code"
CONSENT_CODE = "residents.consent_code"
LINK_CONFIRMED = "residents.link_confirmed"

register_template(
    SIGN_IN_CODE,
    _("Your sign-in code"),
    _(
        "Your Anju sign-in code is {code}. It is valid for {minutes} minutes. "
        "Never tell it to anyone."
    ),
)
register_template(
    CONSENT_CODE,
    _("Consent code"),
    _(
        "{staff} is filing “{service}” for you. If you agree, read this code to them: "
        "{code} (valid for {minutes} minutes)."
    ),
)
register_template(
    LINK_CONFIRMED,
    _("Your account is linked"),
    _("Your portal account is now linked to {name}'s household. Sign in to see it."),
)
