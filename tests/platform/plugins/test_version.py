"""A plugin's version is written once, as its package's ``__version__``; the config
reads it from there, and start-up refuses a version written twice."""

import importlib
import inspect
import types
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from anju.plugins import PluginConfig

SCAFFOLD = Path(__file__).resolve().parents[3] / "platform/anju/plugins/scaffold/plugin"


def plugin_configs():
    return [c for c in apps.get_app_configs() if isinstance(c, PluginConfig)]


def test_every_installed_plugin_reads_its_packages_version():
    labels = {config.label for config in plugin_configs()}
    assert {"disputes", "employment", "dummy_plugin"} <= labels
    for config in plugin_configs():
        package = importlib.import_module(config.name)
        assert config.version == package.__version__, config.label
        # Read on the class too (discovery names it before Django is set up) ...
        assert type(config).version == package.__version__, config.label
        # ... and written nowhere but the package.
        assert "version" not in vars(type(config)), config.label


def test_the_version_follows_the_package():
    config = apps.get_app_config("dummy_plugin")
    before = config.module.__version__
    try:
        config.module.__version__ = "2.0.0"
        assert config.version == "2.0.0"
    finally:
        config.module.__version__ = before


class Base(PluginConfig):
    name = "tests.dummy_plugin"
    label = "versioned"
    title = _("Versioned")
    description = _("A plugin.")
    platform_requires = ">=0.1,<1"


def test_a_version_written_twice_is_refused():
    twice = type("Twice", (Base,), {"version": "9.9"})
    config = twice("tests.dummy_plugin", apps.get_app_config("dummy_plugin").module)
    with pytest.raises(ImproperlyConfigured, match="version is written twice"):
        config.validate()


def test_a_missing_version_is_named():
    module = types.ModuleType("tests.versionless")
    module.__path__ = [str(Path(__file__).parent)]
    config = Base("tests.versionless", module)
    with pytest.raises(ImproperlyConfigured, match="set __version__ in tests.versionless"):
        config.validate()


def test_a_good_version_passes():
    Base("tests.dummy_plugin", apps.get_app_config("dummy_plugin").module).validate()


def test_the_scaffold_writes_the_version_once():
    assert '__version__ = "0.1.0"' in (SCAFFOLD / "__init__.py-tpl").read_text()
    source = (SCAFFOLD / "apps.py-tpl").read_text()
    assert "version =" not in source
    assert inspect.getattr_static(PluginConfig, "version").__class__.__name__ == ("PackageVersion")
