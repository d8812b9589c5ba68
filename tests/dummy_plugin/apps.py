from django.utils.translation import gettext_lazy as _

from anju.plugins import PluginConfig


class DummyPluginConfig(PluginConfig):
    name = "tests.dummy_plugin"
    label = "dummy_plugin"
    verbose_name = "Dummy plugin"
    title = _("Dummy service")
    description = _("A plugin that uses every extension point.")
    icon = "pick"
    platform_requires = ">=0.1,<1"
    slug = "dummy"
    default_settings = {"greeting": "你好"}
    role_permissions = {
        "service_staff": (
            "dummy_plugin.view_thing",
            "dummy_plugin.add_thing",
            "dummy_plugin.change_thing",
        ),
        "committee": ("dummy_plugin.view_thing",),
    }
    beat_schedule = {
        "dummy-tidy": {"task": "dummy_plugin.tidy_things", "schedule": 3600.0},
    }
    page_types = ("dummy_plugin.DummyPage",)

    installed_calls: list = []
    uninstalled_calls: list = []

    def ready(self):
        super().ready()
        from anju.services import case_changed

        from .receivers import on_case_changed

        case_changed.connect(on_case_changed, dispatch_uid="dummy-plugin-case-changed")

    def installed(self, community):
        self.installed_calls.append(community.pk)

    def uninstalled(self, community):
        self.uninstalled_calls.append(community.pk)
