"""Panels on the household page of the staff interface, for plugins to add to.

A plugin shows its own data about a household (canteen meals, elderly-care visits, ...)
by subclassing :class:`HouseholdPanel` and registering it::

    from anju.community.panels import HouseholdPanel, register_household_panel

    @register_household_panel
    class MealsPanel(HouseholdPanel):
        title = _("Canteen meals")
        order = 200
        template_name = "canteen/household_panel.html"

The panel is rendered with a context holding ``household`` (already checked to lie in a
grid the user may see) and ``request``. A panel defined in a plugin's package shows only
where that plugin is active (asked through ``anju.core.plugingate``). A panel that fails
— building, ``is_shown`` or rendering — is logged and replaced by a small error box: one
broken plugin never takes the household page down.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from anju.core import plugingate

logger = logging.getLogger(__name__)

__all__ = [
    "HouseholdPanel",
    "register_household_panel",
    "unregister_household_panel",
    "registered_household_panel",
    "household_panels",
    "render_household_panels",
]


class HouseholdPanel(Component):
    """One panel of the household page. Subclasses set ``title``, ``order`` and either a
    ``template_name`` (rendered with the parent context plus ``panel``) or their own
    ``render_html``; ``is_shown(request)`` may hide the panel from some users."""

    #: The panel's heading (translatable).
    title: Any = ""
    #: Panels are shown by ascending order, then by title.
    order: int = 100
    template_name: str = ""

    def is_shown(self, request) -> bool:
        """Whether this panel shows for this request (its user, its community). Always,
        unless a subclass says otherwise."""
        return True

    def get_context_data(self, parent_context: Mapping[str, Any] | None = None) -> dict:
        context = _as_dict(parent_context)
        context["panel"] = self
        return context

    def render_html(self, parent_context: Mapping[str, Any] | None = None) -> SafeString:
        if not self.template_name:
            raise NotImplementedError(
                f"{type(self).__name__} must set template_name or override render_html()"
            )
        return mark_safe(
            render_to_string(self.template_name, self.get_context_data(parent_context))
        )


_registry: list[type[HouseholdPanel]] = []


def register_household_panel(cls: type[HouseholdPanel]) -> type[HouseholdPanel]:
    """Add a panel class to every household page. Usable as a class decorator."""
    if not (isinstance(cls, type) and issubclass(cls, HouseholdPanel)) or cls is HouseholdPanel:
        raise TypeError(f"{cls!r} is not a subclass of HouseholdPanel: it cannot be registered")
    if cls not in _registry:
        _registry.append(cls)
    return cls


def unregister_household_panel(cls: type[HouseholdPanel]) -> None:
    if cls in _registry:
        _registry.remove(cls)


@contextmanager
def registered_household_panel(cls: type[HouseholdPanel]) -> Iterator[type[HouseholdPanel]]:
    """Register ``cls`` for the duration of a ``with`` block (for tests)."""
    already = cls in _registry
    register_household_panel(cls)
    try:
        yield cls
    finally:
        if not already:
            unregister_household_panel(cls)


def household_panels() -> list[type[HouseholdPanel]]:
    """The registered panel classes, in display order."""
    return sorted(_registry, key=lambda cls: (cls.order, str(cls.title), cls.__qualname__))


def _error_box(title: Any) -> SafeString:
    return format_html(
        '<div class="help-block help-critical" role="alert" data-household-panel-error>{}</div>',
        _("The panel “%(title)s” could not be shown. The error has been logged.")
        % {"title": title},
    )


def render_household_panels(household, request) -> SafeString:
    """Render every registered panel for ``household``; a panel that raises is logged
    and shown as an error box instead."""
    context = {"household": household, "request": request}
    rendered = []
    for cls in household_panels():
        if not plugingate.allows(request, cls):
            continue
        title = getattr(cls, "title", "") or cls.__name__
        try:
            panel = cls()
            if not panel.is_shown(request):
                continue
            body = panel.render_html(context)
        except Exception:
            logger.exception(
                "Household panel %s failed for household %s", cls.__qualname__, household.pk
            )
            body = _error_box(title)
        rendered.append(
            format_html(
                '<section class="w-mt-8 anju-household-panel" data-household-panel="{}">'
                '<h2 class="w-h3">{}</h2>{}</section>',
                cls.__qualname__,
                title,
                body,
            )
        )
    return mark_safe("".join(rendered))


def _as_dict(parent_context) -> dict:
    """A plain dict of the parent context: the admin passes a template Context (whose
    dict() is its stack of layers, not its variables), others a mapping or nothing."""
    if parent_context is None:
        return {}
    flatten = getattr(parent_context, "flatten", None)
    return dict(flatten()) if callable(flatten) else dict(parent_context)
