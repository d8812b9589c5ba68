"""The dashboard as people open it: the admin home per role, the printable monthly
report with its month picker, the workbook read back, bad months answered in Chinese."""

import io
import json

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

HOME = "/admin/"
REPORT = "/admin/dashboard/report/"
XLSX = "/admin/dashboard/report/xlsx/"
CORE = {"core.visits", "core.notices", "core.cases", "core.campaigns"}
PLUGINS = {"disputes.month", "employment.seekers", "elderly.canteen", "classroom.children"}


def tiles_on(html: str) -> set[str]:
    import re

    return set(re.findall(r'data-tile="([a-z_.]+)"', html))


def chart_data(html: str) -> dict:
    start = html.index('id="anju-dashboard-data"')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def this_month() -> str:
    return f"{timezone.localdate():%Y-%m}"


def test_committee_home_is_the_community_dashboard(client, town):
    client.force_login(town.users["committee"])
    html = client.get(HOME).content.decode()
    assert "data-dashboard" in html
    assert tiles_on(html) == CORE | PLUGINS
    data = chart_data(html)
    assert data["grid_names"] == ["第一网格", "第二网格"]
    coverage = next(s for s in data["grids"] if s["label"].startswith("走访覆盖率"))
    assert coverage["values"] == [50.0, 100.0]
    assert data["months"][-1] == this_month()
    assert "/static/dashboard/vendor/chartjs/chart.umd.min.js" in html
    assert "cdn" not in html.lower().split("anju-dashboard")[1][:20000]
    # The table's total row: the cases' in-grid rate for the community, 2 of 3.
    assert "67%" in html
    assert "data-due-list" not in html  # the committee owes no visits


def test_grid_worker_home_shows_their_grid_and_due_list(client, town):
    client.force_login(town.users["grid_worker"])
    html = client.get(HOME).content.decode()
    assert tiles_on(html) >= CORE | {"disputes.month"}
    data = chart_data(html)
    assert data["grid_names"] == ["第一网格"]
    assert "第二网格" not in html.split('id="anju-dashboard"')[1].split("</section>")[0]
    assert "data-due-list" in html
    due = html.split("data-due-list")[1].split("</section>")[0]
    assert "102" in due and "燃气安全入户检查" in due  # h3 still owes the campaign
    assert "/admin/campaigns/due/" in due


def test_representative_sees_their_grid_without_a_due_list(client, town):
    client.force_login(town.users["resident_rep"])
    html = client.get(HOME).content.decode()
    assert chart_data(html)["grid_names"] == ["第一网格"]
    assert "data-due-list" not in html


def test_service_staff_see_only_their_services_tiles(client, town):
    client.force_login(town.users["service_staff"])
    html = client.get(HOME).content.decode()
    shown = tiles_on(html)
    # No households, visits, notices or disputes; the cases and campaigns of the
    # services they run (none of the town's), the station's own tiles.
    assert shown == {"core.cases", "core.campaigns"} | (PLUGINS - {"disputes.month"})
    cases = html.split('data-tile="core.cases"')[1].split("</article>")[0]
    assert "<dt>提交</dt><dd>0</dd>" in cases
    assert "anju-dashboard-data" not in html  # no grids, so no per-grid charts


def test_anonymous_visitors_are_sent_to_sign_in(client, town):
    for url in (HOME, REPORT, XLSX):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_resident_account_cannot_open_the_report(client, town):
    client.force_login(town.users["resident"])
    for url in (REPORT, XLSX):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert b"PK" not in response.content[:2]


def test_a_staff_member_with_no_tile_is_refused_the_report(client, town):
    from tests import factories as f

    nobody = f.UserFactory(username="nobody", is_staff=True)
    from django.contrib.auth.models import Permission

    nobody.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(nobody)
    assert "data-dashboard" not in client.get(HOME).content.decode()
    response = client.get(REPORT)
    assert response.status_code in (302, 403)
    assert "data-report" not in response.content.decode()


def test_report_page_for_a_month(client, town):
    client.force_login(town.users["committee"])
    response = client.get(REPORT, {"month": this_month()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-report" in html and tiles_on(html) == CORE | PLUGINS
    assert f"{XLSX}?month={this_month()}" in html
    assert "月报" in html


@pytest.mark.parametrize(
    "month,message",
    [
        ("2026-13", "请按“年-月”填写月份"),
        ("next", "请按“年-月”填写月份"),
        ("2999-01", "请选择本月或更早的月份"),
    ],
)
def test_a_bad_month_is_explained_in_chinese(client, town, month, message):
    client.force_login(town.users["committee"])
    response = client.get(REPORT, {"month": month})
    assert response.status_code == 200
    assert message in response.content.decode()
    workbook = client.get(XLSX, {"month": month})
    assert workbook.status_code == 400
    assert message in workbook.content.decode()


def test_an_earlier_month_counts_only_that_month(client, town):
    import datetime

    client.force_login(town.users["committee"])
    last = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    html = client.get(REPORT, {"month": f"{last:%Y-%m}"}).content.decode()
    data = chart_data(html)
    coverage = next(s for s in data["grids"] if s["label"].startswith("走访覆盖率"))
    assert coverage["values"] == [50.0, 0.0]  # only h3 was visited last month
    assert data["months"][-1] == f"{last:%Y-%m}"


def read_workbook(response):
    from openpyxl import load_workbook

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def by_grid(workbook) -> dict:
    sheet = workbook["按网格"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return {row[0]: dict(zip(header[1:], row[1:], strict=True)) for row in rows[1:]}


def test_workbook_reads_back_the_figures(client, town):
    client.force_login(town.users["committee"])
    workbook = read_workbook(client.get(XLSX, {"month": this_month()}))
    assert workbook.sheetnames == ["汇总", "按网格", "按月份"]
    summary = {
        (row[0], row[1]): row[2] for row in workbook["汇总"].iter_rows(min_row=3, values_only=True)
    }
    assert summary[("走访覆盖率", "住户")] == 3
    assert summary[("办件", "已办结")] == 3
    assert summary[("办件", "网格内办结率")] == pytest.approx(0.6667)
    assert summary[("矛盾纠纷", "化解率")] == 0.5
    rows = by_grid(workbook)
    assert list(rows) == ["第一网格", "第二网格", "合计"]
    assert rows["第二网格"]["办件 · 已逾期"] == 1
    assert rows["合计"]["专项走访进度 · 走访对象"] == 3
    months = list(workbook["按月份"].iter_rows(values_only=True))
    assert months[-1][0] == this_month() and months[-1][1:] == (6, 3, 2)


def test_grid_worker_workbook_holds_their_grid_only(client, town):
    client.force_login(town.users["grid_worker"])
    rows = by_grid(read_workbook(client.get(XLSX)))
    assert list(rows) == ["第一网格", "合计"]
    assert rows["合计"] == rows["第一网格"] | {}


def test_workbook_cells_never_run_as_formulas(client, town):
    town.grid1.name = '=HYPERLINK("http://evil")'
    town.grid1.save()
    client.force_login(town.users["committee"])
    rows = by_grid(read_workbook(client.get(XLSX)))
    assert '\'=HYPERLINK("http://evil")' in rows


@pytest.mark.parametrize("role", ["committee", "grid_worker"])
def test_the_dashboard_replaces_wagtails_site_summary(client, town, role):
    client.force_login(town.users[role])
    html = client.get(HOME).content.decode()
    assert "data-dashboard" in html
    assert "w-summary" not in html  # no page, image or document counts above it


def test_the_site_summary_stays_for_whoever_sees_no_dashboard(rf, town):
    from anju.dashboard.wagtail_hooks import no_site_summary_above_the_dashboard
    from tests import factories as f

    request = rf.get(HOME)
    request.user = f.UserFactory(username="nobody", is_staff=True)
    items = ["pages", "documents"]
    no_site_summary_above_the_dashboard(request, items)
    assert items == ["pages", "documents"]
    request.user = town.users["committee"]
    no_site_summary_above_the_dashboard(request, items)
    assert items == []
