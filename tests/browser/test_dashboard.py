"""The dashboard in Debian's Chromium: the committee's and a grid worker's admin home
draw both charts from the vendored Chart.js with no console error; the monthly report
page draws them too."""

import pytest
from django.test import Client

from tests.platform.campaigns.conftest import checklist, hazard_service  # noqa: F401
from tests.platform.dashboard.conftest import town  # noqa: F401
from tests.platform.services.conftest import built_service  # noqa: F401
from tests.plugins.classroom.conftest import room  # noqa: F401

from .conftest import watch_errors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser(chromium):
    return chromium


def signed_in_page(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return watch_errors(context.new_page())


def charts_drawn(page) -> dict:
    page.wait_for_selector("html[data-dashboard-charts='drawn']", timeout=15000)
    return page.evaluate(
        """() => Object.fromEntries(['anju-trend-chart', 'anju-grids-chart'].map(id => {
            const canvas = document.getElementById(id);
            return [id, !!(canvas && window.Chart.getChart(canvas) && canvas.width > 0)];
        }))"""
    )


def test_committee_dashboard_draws_its_charts(live_server, browser, town):  # noqa: F811
    page = signed_in_page(browser, live_server, town.users["committee"])
    response = page.goto(live_server.url + "/admin/")
    assert response.status == 200
    assert charts_drawn(page) == {"anju-trend-chart": True, "anju-grids-chart": True}
    grids = page.evaluate(
        "() => window.Chart.getChart(document.getElementById('anju-grids-chart')).data.labels"
    )
    assert grids == ["第一网格", "第二网格"]
    assert (
        page.locator("[data-tile='core.cases'] [data-figure='in_grid_rate'] dd").inner_text()
        == "67%"
    )
    assert page.locator("[data-tile]").count() == 8
    # The month picker goes to the printable report for the month chosen.
    page.click("text=月报")
    page.wait_for_selector("[data-report]")
    assert charts_drawn(page)["anju-trend-chart"] is True
    assert (
        page.locator("[data-xlsx]")
        .get_attribute("href")
        .startswith("/admin/dashboard/report/xlsx/?month=")
    )
    assert page.errors == []


def test_grid_worker_dashboard_shows_their_grid_and_due_list(live_server, browser, town):  # noqa: F811
    page = signed_in_page(browser, live_server, town.users["grid_worker"])
    response = page.goto(live_server.url + "/admin/")
    assert response.status == 200
    assert charts_drawn(page) == {"anju-trend-chart": True, "anju-grids-chart": True}
    grids = page.evaluate(
        "() => window.Chart.getChart(document.getElementById('anju-grids-chart')).data.labels"
    )
    assert grids == ["第一网格"]
    due = page.locator("[data-due-list]")
    assert due.is_visible()
    assert "102" in due.inner_text()
    assert page.locator("[data-grid-table] tbody tr").count() == 1
    assert page.errors == []
