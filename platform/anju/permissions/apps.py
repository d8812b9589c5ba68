from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PermissionsConfig(AppConfig):
    name = "anju.permissions"
    label = "anju_permissions"
    verbose_name = _("Roles and permissions")

    def ready(self):
        from . import grants  # noqa: F401  (connects the seat → grant signals)
