"""Dashboard panels plugins add to the Wagtail admin's home page, rendered safely: a
panel that raises is logged and shown as a small error box in its place."""

import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

logger = logging.getLogger("anju.plugins")


class DashboardPanel(Component):
    """Subclass with ``name``, ``title``, ``order`` and a ``template_name`` (rendered with
    the dashboard's context plus ``panel``) or your own ``render_html``."""

    name = ""
    title: Any = ""
    order = 500
    template_name = ""

    def __init__(self, request=None):
        self.request = request

    def get_context_data(self, parent_context=None):
        context = _as_dict(parent_context)
        context["panel"] = self
        context.setdefault("request", self.request)
        return context

    def render_html(self, parent_context=None):
        return mark_safe(
            render_to_string(self.template_name, self.get_context_data(parent_context))
        )


def error_box(title) -> str:
    return format_html(
        '<div class="help-block help-critical" role="alert" data-plugin-panel-error>{}</div>',
        _("The panel “%(title)s” could not be shown. The error has been logged.")
        % {"title": title},
    )


class SafePanel(Component):
    """Wraps a plugin's panel: its failure becomes an error box, never a broken page."""

    def __init__(self, panel, plugin: str):
        self.panel = panel
        self.plugin = plugin
        self.order = getattr(panel, "order", 500)
        self.name = getattr(panel, "name", "") or type(panel).__name__
        self.title = getattr(panel, "title", "") or self.name

    @classmethod
    def failed(cls, panel_class, plugin: str):
        """The error box for a panel that could not even be built."""
        box = cls(None, plugin)
        box.order = getattr(panel_class, "order", 500)
        box.name = getattr(panel_class, "name", "") or panel_class.__name__
        box.title = getattr(panel_class, "title", "") or box.name
        return box

    def render_html(self, parent_context=None):
        if self.panel is None:
            return error_box(self.title)
        try:
            return self.panel.render_html(parent_context)
        except Exception:
            logger.exception("Panel %s of plugin %s failed", type(self.panel).__name__, self.plugin)
            return error_box(self.title)

    @property
    def media(self):
        try:
            return self.panel.media
        except Exception:  # noqa: BLE001 - a broken panel must not break the page
            from django.forms import Media

            return Media()


def _as_dict(parent_context) -> dict:
    """A plain dict of the parent context: the admin passes a template Context (whose
    dict() is its stack of layers, not its variables), others a mapping or nothing."""
    if parent_context is None:
        return {}
    flatten = getattr(parent_context, "flatten", None)
    return dict(flatten()) if callable(flatten) else dict(parent_context)
