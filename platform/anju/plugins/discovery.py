"""Finding plugins, at settings time, before Django is set up.

Every plugin — in-tree or an external package — is an entry point in the
``anju.plugins`` group whose value is its AppConfig class
(``volunteers = "plugins.volunteers.apps:VolunteersConfig"``). Settings call
``installed_plugin_apps()`` to extend INSTALLED_APPS; nothing else lists plugins.

Compatibility and required settings are checked here, so an incompatible plugin never
reaches INSTALLED_APPS: with ``fatal=True`` (dev, test, CI) the first problem stops the
start with one message naming the plugin; with ``fatal=False`` (production) the plugin
is skipped, a warning is logged, and the site starts without it.
"""

import importlib
import logging
from dataclasses import dataclass
from importlib.metadata import entry_points

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

logger = logging.getLogger("anju.plugins")

ENTRY_POINT_GROUP = "anju.plugins"


class PluginError(Exception):
    """A plugin cannot be loaded. The message names the plugin and says what to do."""


@dataclass(frozen=True)
class FoundPlugin:
    name: str  # entry-point name
    app: str  # dotted path of the AppConfig class, for INSTALLED_APPS


def _platform_version() -> Version:
    from anju import __version__

    return Version(__version__)


def _load_config_class(dotted: str):
    module_name, _, class_name = dotted.replace(":", ".").rpartition(".")
    return getattr(importlib.import_module(module_name), class_name)


def check_plugin(name: str, config_class, plugin_settings: dict) -> None:
    """Raise PluginError if the plugin cannot run on this platform with these settings."""
    requires = getattr(config_class, "platform_requires", None)
    if not requires:
        raise PluginError(
            f"Plugin {name!r} does not say which platform versions it supports: set "
            f"platform_requires (for example '>=0.1,<1') on {config_class.__name__}."
        )
    try:
        spec = SpecifierSet(requires)
    except InvalidSpecifier as error:
        raise PluginError(
            f"Plugin {name!r}: platform_requires {requires!r} is not a PEP 440 "
            f"version specifier ({error})."
        ) from None
    platform = _platform_version()
    if platform not in spec:
        raise PluginError(
            f"Plugin {name!r} {getattr(config_class, 'version', '?')} needs Anju {requires}, "
            f"but this is Anju {platform}: upgrade the plugin or the platform."
        )
    own = plugin_settings.get(getattr(config_class, "label", None) or name, {})
    missing = [key for key in getattr(config_class, "required_settings", ()) if key not in own]
    if missing:
        raise PluginError(
            f"Plugin {name!r} needs the setting(s) {', '.join(missing)}: add them to "
            f"PLUGINS_CONFIG[{(getattr(config_class, 'label', None) or name)!r}]."
        )


def installed_plugin_apps(
    plugin_settings: dict, fatal: bool, extra: tuple[str, ...] = ()
) -> list[str]:
    """INSTALLED_APPS entries for every usable plugin: entry points, then ``extra``
    (dotted AppConfig paths; the core's tests use it for their dummy plugin)."""
    found = [
        FoundPlugin(ep.name, ep.value.replace(":", "."))
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    ] + [FoundPlugin(path.rsplit(".", 3)[-3], path) for path in extra]
    apps = []
    for plugin in found:
        try:
            try:
                config_class = _load_config_class(plugin.app)
            except (ImportError, AttributeError) as error:
                raise PluginError(
                    f"Plugin {plugin.name!r}: cannot import {plugin.app} ({error})."
                ) from error
            check_plugin(plugin.name, config_class, plugin_settings)
        except PluginError as error:
            if fatal:
                raise
            logger.warning("Skipping plugin: %s", error)
            continue
        if plugin.app not in apps:
            apps.append(plugin.app)
    return apps
