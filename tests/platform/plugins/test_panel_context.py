"""Panels receive the admin's template Context as their parent context, not a dict."""

from django.template import Context
from django.test import RequestFactory

from anju.community.panels import HouseholdPanel
from anju.plugins.panels import DashboardPanel


def test_dashboard_panel_context_from_a_template_context():
    request = RequestFactory().get("/admin/")
    panel = DashboardPanel(request)
    context = panel.get_context_data(Context({"greeting": "你好"}))
    assert context["greeting"] == "你好" and context["panel"] is panel


def test_household_panel_context_from_a_template_context():
    context = HouseholdPanel().get_context_data(Context({"household": "h"}))
    assert context["household"] == "h"
