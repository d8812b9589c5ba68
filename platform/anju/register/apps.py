from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegisterConfig(AppConfig):
    name = "anju.register"
    label = "anju_register"
    verbose_name = _("Household register")
