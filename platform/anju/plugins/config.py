"""PluginConfig: what a plugin is, in flat, validated metadata.

A plugin is a Django app whose AppConfig subclasses PluginConfig::

    class VolunteersConfig(PluginConfig):
        name = "plugins.volunteers"
        label = "volunteers"
        title = _("Volunteers")
        description = _("Volunteer sign-up and shifts.")
        icon = "group"
        platform_requires = ">=0.1,<1"

Its version is written once, as ``__version__`` in the plugin package's ``__init__.py``;
``PluginConfig.version`` reads it from there.

Its contributions are found by convention in its own modules (navigation.py, urls.py,
api.py, admin.py, panels.py, services.py, notices.py, demo.py, tasks.py) and registered
through the typed functions of anju.plugins.registry when the app is ready.
"""

import importlib
import inspect
import re

from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]*$")
VERSION_RE = re.compile(r"^\d+(\.\d+)*([a-z0-9.+-]*)$")
# Slugs that would collide with the core's own URLs under /services/ and /api/.
# Paths the core uses under /api/ and /services/: a plugin mounted there would clash.
RESERVED_SLUGS = {
    "v2",
    "schema",
    "docs",
    "platform",
    "community",
    "forms",
    "plugins",
    "services",
    "cases",
    "notices",
    "notice-deliveries",
}


class PackageVersion:
    """``PluginConfig.version``: the ``__version__`` of the plugin's package (the module
    named by ``name``), so the version is written in one place. Readable on the class
    too, as discovery does before Django is set up."""

    def __get__(self, instance, owner):
        module = getattr(instance, "module", None) if instance is not None else None
        if module is None:
            try:
                module = importlib.import_module(owner.name)
            except (ImportError, TypeError, ValueError):  # no name, or not importable
                return None
        return getattr(module, "__version__", None)


class PluginConfig(AppConfig):
    """Base class for every plugin's AppConfig."""

    #: Human title and one-sentence description (wrap with gettext_lazy).
    title = None
    description = None
    #: A Wagtail icon name, for menus and the service directory.
    icon = "cogs"
    #: The plugin's own version (PEP 440): its package's ``__version__``. Do not set it
    #: here as well.
    version = PackageVersion()
    #: The platform versions it runs on, as a PEP 440 specifier: ">=0.1,<1".
    platform_requires = None
    #: The URL slug: portal under /services/<slug>/, API under /api/<slug>/. Defaults to
    #: the label with underscores as hyphens.
    slug = None
    #: Settings with their defaults; operators override them in PLUGINS_CONFIG[label].
    default_settings: dict = {}
    #: Settings operators must give in PLUGINS_CONFIG[label]; checked at start-up.
    required_settings: tuple = ()
    #: Whether a community that never decided has the plugin enabled.
    default_enabled = True
    #: Model permissions the plugin's roles get by default: {role code: ("app.codename",)}.
    #: Applied by ``manage.py setup_roles`` (and load_demo).
    role_permissions: dict = {}
    #: Celery beat entries, merged into the platform's schedule: {name: {"task":, "schedule":}}.
    beat_schedule: dict = {}
    #: Wagtail page types the plugin adds ("app_label.ModelName"): their pages answer 404
    #: where the plugin is disabled.
    page_types: tuple = ()
    #: Models whose rows the plugin's portal pages show ("app_label.ModelName"): those
    #: pages are kept rendered (the page cache, ``{% publishcache %}`` fragments) until
    #: one of these rows is saved or deleted, anywhere (anju.core.localcache).
    portal_models: tuple = ()

    # --- lifecycle -------------------------------------------------------------------

    def installed(self, community) -> None:
        """Called once when the plugin is first enabled for ``community``: set up data."""

    def uninstalled(self, community) -> None:
        """Called when the plugin is removed from ``community`` for good: tidy data.
        (Disabling keeps everything; only ``uninstall`` calls this.)"""

    # --- settings --------------------------------------------------------------------

    @property
    def settings(self) -> dict:
        """Defaults overlaid with PLUGINS_CONFIG[label]."""
        own = getattr(settings, "PLUGINS_CONFIG", {}).get(self.label, {})
        return {**self.default_settings, **own}

    # --- start-up --------------------------------------------------------------------

    def validate(self) -> None:
        """Check the metadata; raise ImproperlyConfigured with one clear message."""
        problems = []
        if not self.title:
            problems.append("title is empty")
        if not self.description:
            problems.append("description is empty")
        own = getattr(self.module, "__version__", None)
        if not isinstance(inspect.getattr_static(type(self), "version"), PackageVersion):
            if own is not None:
                problems.append(
                    f"version is written twice ({self.version!r} here, {own!r} as "
                    f"__version__ in {self.name}): keep __version__ only"
                )
        if not self.version:
            problems.append(f"version is missing: set __version__ in {self.name}/__init__.py")
        elif not VERSION_RE.match(str(self.version)):
            problems.append(f"version {self.version!r} is not a version number")
        if not self.platform_requires:
            problems.append("platform_requires is missing")
        if not SLUG_RE.match(self.url_slug):
            problems.append(f"slug {self.url_slug!r} must be lower-case letters, digits, hyphens")
        if self.url_slug in RESERVED_SLUGS:
            problems.append(f"slug {self.url_slug!r} is reserved by the platform")
        if not isinstance(self.default_settings, dict):
            problems.append("default_settings must be a dict")
        for role, perms in self.role_permissions.items():
            if not isinstance(perms, tuple | list) or not all("." in p for p in perms):
                problems.append(f"role_permissions[{role!r}] must list 'app_label.codename'")
        if problems:
            raise ImproperlyConfigured(f"Plugin {self.label!r}: " + "; ".join(problems) + ".")

    @property
    def url_slug(self) -> str:
        return self.slug or self.label.replace("_", "-")

    def ready(self):
        from . import registry

        self.validate()
        registry.load_plugin(self)
        self._forget_portal_pages_on_change()

    def _forget_portal_pages_on_change(self):
        from django.db.models.signals import post_delete, post_save

        from anju.core.localcache import bump

        for model in self.portal_models:
            uid = f"anju-portal-models-{self.label}-{model}"
            post_save.connect(bump, sender=model, dispatch_uid=f"{uid}-save", weak=False)
            post_delete.connect(bump, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
