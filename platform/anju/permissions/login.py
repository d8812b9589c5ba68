"""The admin's login form (settings.WAGTAILADMIN_USER_LOGIN_FORM): Wagtail's, with the
password field labelled through our catalogue. Wagtail leaves the label to Django's
default, the field's name capitalised ("Password"), which no catalogue translates."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm


class LoginForm(WagtailLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")
