"""Discovery, compatibility and metadata checks: one clear message naming the plugin."""

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from anju.plugins import PluginConfig
from anju.plugins import registry as reg
from anju.plugins.discovery import PluginError, check_plugin, installed_plugin_apps


class GoodConfig(PluginConfig):
    name = "tests.dummy_plugin"
    label = "good"
    title = _("Good")
    description = _("A good plugin.")
    platform_requires = ">=0.1,<1"
    required_settings = ()


def _config(**attrs):
    return type("Config", (GoodConfig,), attrs)


def test_a_compatible_plugin_passes():
    check_plugin("good", GoodConfig, {})


@pytest.mark.parametrize(
    ("attrs", "settings", "message"),
    [
        ({"platform_requires": ">=2"}, {}, "needs Anju >=2"),
        ({"platform_requires": "not a spec"}, {}, "not a PEP 440"),
        ({"platform_requires": None}, {}, "does not say which platform versions"),
        ({"required_settings": ("API_KEY",)}, {}, "needs the setting(s) API_KEY"),
    ],
)
def test_an_unusable_plugin_is_named_in_one_message(attrs, settings, message):
    with pytest.raises(PluginError) as error:
        check_plugin("good", _config(**attrs), settings)
    assert "'good'" in str(error.value)
    assert message in str(error.value)


def test_required_settings_present_pass():
    check_plugin("good", _config(required_settings=("API_KEY",)), {"good": {"API_KEY": "x"}})


def test_fatal_mode_stops_the_start():
    with pytest.raises(PluginError, match="cannot import"):
        installed_plugin_apps({}, fatal=True, extra=("tests.no_such_plugin.apps.Config",))


def test_production_mode_skips_the_plugin_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="anju.plugins"):
        apps = installed_plugin_apps(
            {},
            fatal=False,
            extra=("tests.no_such_plugin.apps.Config", "tests.dummy_plugin.apps.DummyPluginConfig"),
        )
    # Installed plugins (entry points) come first; the broken one is simply not there.
    assert apps[-1] == "tests.dummy_plugin.apps.DummyPluginConfig"
    assert not any("no_such_plugin" in app for app in apps)
    assert "Skipping plugin" in caplog.text and "no_such_plugin" in caplog.text


def test_production_settings_start_without_a_broken_plugin():
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "anju.settings.production",
        "SECRET_KEY": "a7Vq-9x!Lr2Kd#Zp4Wm8Tf1Yh6Nc3Bj5Gs0Qe7Ru2Io9Pa4Sd8Fg1Hk6Jl3Zx5Cv",
        "ALLOWED_HOSTS": "anju.example.cn",
        "PLUGINS_CONFIG": "{}",
    }
    code = (
        "from anju.settings import base; "
        "print(base.with_plugins([], fatal=False, extra=['tests.gone.apps.Config']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "tests.gone" not in result.stdout and result.stdout.startswith("[")


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"title": None}, "title is empty"),
        ({"version": "one"}, "version 'one'"),
        ({"slug": "Bad Slug"}, "slug 'Bad Slug'"),
        ({"slug": "schema"}, "reserved"),
        ({"role_permissions": {"committee": ("nodot",)}}, "role_permissions"),
    ],
)
def test_metadata_is_validated_with_one_message(attrs, message):
    from django.apps import apps

    module = apps.get_app_config("dummy_plugin").module
    config = _config(**attrs)("tests.dummy_plugin", module)
    with pytest.raises(ImproperlyConfigured) as error:
        config.validate()
    assert "'good'" in str(error.value) and message in str(error.value)


@pytest.mark.parametrize(
    "register",
    [
        reg.register_menu_item,
        reg.register_portal_link,
        reg.register_service_card,
        reg.register_service_form,
        reg.register_notice_category,
        reg.register_notification_template,
        reg.register_dashboard_panel,
        reg.register_household_panel,
        reg.register_api_router,
        reg.register_admin_viewset,
        reg.register_page_type,
    ],
)
def test_register_functions_refuse_the_wrong_kind(register):
    from django.apps import apps

    plugin = apps.get_app_config("dummy_plugin")
    with pytest.raises(TypeError) as error:
        register(plugin, "not the right thing")
    assert "'dummy_plugin'" in str(error.value)
