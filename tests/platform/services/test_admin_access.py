"""Who may open which staff page of the services engine, role by role, and that a
grid worker never meets grid 2's cases anywhere: inbox, case page, actions, bulk
assignment, export, figures, filing on behalf and the service builder.

Wagtail sends people without admin access (residents, anonymous) to the login; our own
refusals are a plain 403; a case the user may not see is a 404, whether or not it
exists."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext

from anju.core.models import AuditEntry
from anju.services.models import Case, Status
from anju.services.submission import format_reference

pytestmark = pytest.mark.django_db

ROLES = ["superuser", "committee", "grid_worker", "resident_rep", "service_staff", "resident", None]
LOGIN = "login"  # a redirect to the admin login


def login(client, world, role):
    if role:
        client.force_login(world.users[role])


def assert_status(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302, response.status_code
        assert response["Location"].startswith("/admin/login/")
    else:
        assert response.status_code == expected, (response.status_code, expected)


def ids(role):
    return role or "anonymous"


# --- pages ----------------------------------------------------------------------------

#: role -> (inbox, case in grid 1, case in grid 2, figures, export, choose service to file)
PAGES = {
    "superuser": (200, 200, 200, 200, 200, 200),
    "committee": (200, 200, 200, 200, 200, 200),
    "grid_worker": (200, 200, 404, 200, 200, 200),
    "resident_rep": (200, 200, 404, 200, 403, 403),
    # Service staff see the cases of services run by service staff: not this one.
    "service_staff": (200, 404, 404, 200, 200, 403),
    "resident": (LOGIN,) * 6,
    None: (LOGIN,) * 6,
}


@pytest.mark.parametrize("role", ROLES, ids=ids)
def test_who_opens_which_case_page(world, client, case_in_grid1, case_in_grid2, role):
    login(client, world, role)
    urls = [
        reverse("anju_cases"),
        reverse("anju_case", args=[case_in_grid1.pk]),
        reverse("anju_case", args=[case_in_grid2.pk]),
        reverse("anju_cases_figures"),
        reverse("anju_cases_export"),
        reverse("anju_cases_file"),
    ]
    for url, expected in zip(urls, PAGES[role], strict=True):
        assert_status(client.get(url), expected)


def test_a_case_that_does_not_exist_is_a_404_like_one_out_of_sight(world, client):
    client.force_login(world.users["committee"])
    assert client.get(reverse("anju_case", args=[999999])).status_code == 404


def test_only_cases_the_user_may_see_are_listed(world, client, case_in_grid1, case_in_grid2):
    expected = {
        "superuser": {case_in_grid1.pk, case_in_grid2.pk},
        "committee": {case_in_grid1.pk, case_in_grid2.pk},
        "grid_worker": {case_in_grid1.pk},
        "resident_rep": {case_in_grid1.pk},
        "service_staff": set(),
    }
    for role, pks in expected.items():
        client.force_login(world.users[role])
        response = client.get(reverse("anju_cases"), {"tab": "all"})
        assert {row["case"].pk for row in response.context["rows"]} == pks, role
        html = response.content.decode()
        if case_in_grid2.pk not in pks:
            assert case_in_grid2.reference not in html
            assert "李大红" not in html


@pytest.mark.parametrize("tab", ["mine", "grids", "escalated", "overdue", "all"])
def test_no_tab_shows_a_grid_worker_grid_2(world, client, case_in_grid1, case_in_grid2, tab):
    from anju.services import workflow

    committee = world.users["committee"]
    workflow.escalate(case_in_grid2, actor=committee, reason="大事")
    Case.objects.update(accept_due=case_in_grid1.created_at)  # everything overdue
    client.force_login(world.users["grid_worker"])
    response = client.get(reverse("anju_cases"), {"tab": tab})
    assert response.status_code == 200
    assert case_in_grid2.pk not in {row["case"].pk for row in response.context["rows"]}
    assert case_in_grid2.reference not in response.content.decode()


def test_a_grid_worker_cannot_filter_their_way_into_grid_2(
    world, client, case_in_grid1, case_in_grid2
):
    client.force_login(world.users["grid_worker"])
    response = client.get(reverse("anju_cases"), {"tab": "all", "grid": world.grid2.pk})
    assert response.status_code == 200
    assert "grid" in response.context["form"].errors  # not a choice they have
    assert case_in_grid2.pk not in {row["case"].pk for row in response.context["rows"]}


# --- actions --------------------------------------------------------------------------

#: role -> (accept the case in grid 1, accept the case in grid 2)
ACCEPT = {
    "superuser": (302, 302),
    "committee": (302, 302),
    "grid_worker": (302, 404),
    "resident_rep": (403, 404),  # may read grid 1's cases, not act on them
    "service_staff": (404, 404),
    "resident": (LOGIN, LOGIN),
    None: (LOGIN, LOGIN),
}


@pytest.mark.parametrize("role", ROLES, ids=ids)
def test_who_may_act_on_a_case(world, client, case_in_grid1, case_in_grid2, role):
    login(client, world, role)
    for case, expected in zip((case_in_grid1, case_in_grid2), ACCEPT[role], strict=True):
        response = client.post(
            reverse("anju_case_transition", args=[case.pk]), {"to": Status.ACCEPTED}
        )
        assert_status(response, expected)
        case.refresh_from_db()
        if expected == 302:
            assert response["Location"] == reverse("anju_case", args=[case.pk])
            assert case.status == Status.ACCEPTED
        else:
            assert case.status == Status.SUBMITTED


@pytest.mark.parametrize("action", ["comment", "assign", "follow-up"])
def test_a_resident_representative_gets_403_on_every_action(world, client, case_in_grid1, action):
    client.force_login(world.users["resident_rep"])
    name = {"comment": "anju_case_comment", "assign": "anju_case_assign"}.get(
        action, "anju_case_follow_up"
    )
    response = client.post(
        reverse(name, args=[case_in_grid1.pk]),
        {"text": "我来改", "assignee": world.users["grid_worker"].pk, "settled": "yes"},
    )
    assert response.status_code == 403
    assert case_in_grid1.events.count() == 1  # only "filed"


def test_a_resident_representative_sees_no_action_forms(world, client, case_in_grid1):
    client.force_login(world.users["resident_rep"])
    response = client.get(reverse("anju_case", args=[case_in_grid1.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-actions" not in html
    assert reverse("anju_case_transition", args=[case_in_grid1.pk]) not in html


def test_a_grid_worker_sees_actions_but_not_reassignment(world, client, case_in_grid1):
    client.force_login(world.users["grid_worker"])
    html = client.get(reverse("anju_case", args=[case_in_grid1.pk])).content.decode()
    assert 'data-form="transition"' in html and 'data-form="comment"' in html
    assert 'data-form="reject"' in html
    assert 'data-form="assign"' not in html  # reassignment is the committee's


#: role -> status of a bulk assignment of grid 1's case to the grid worker
BULK = {
    "superuser": 302,
    "committee": 302,
    "grid_worker": 403,  # no services.assign_case
    "resident_rep": 403,
    "service_staff": 403,
    "resident": LOGIN,
    None: LOGIN,
}


@pytest.mark.parametrize("role", ROLES, ids=ids)
def test_who_may_bulk_assign(world, client, case_in_grid1, role):
    from anju.services import workflow

    workflow.assign(case_in_grid1, None, world.users["superuser"])  # start unassigned
    login(client, world, role)
    response = client.post(
        reverse("anju_cases_bulk_assign"),
        {"case": [case_in_grid1.pk], "assignee": world.users["grid_worker"].pk},
    )
    assert_status(response, BULK[role])
    case_in_grid1.refresh_from_db()
    assigned = case_in_grid1.assignee == world.users["grid_worker"]
    assert assigned == (BULK[role] == 302)


def test_bulk_assign_skips_cases_out_of_sight(world, client, case_in_grid1, case_in_grid2):
    client.force_login(world.users["committee"])
    response = client.post(
        reverse("anju_cases_bulk_assign"),
        {"case": [case_in_grid1.pk, 999999], "assignee": world.users["grid_worker"].pk},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    with translation.override("zh-hans"):
        not_found = ngettext(
            "%(count)d case was not found.", "%(count)d cases were not found.", 1
        ) % {"count": 1}
    assert not_found in texts  # the admin speaks Chinese unless the user chose English
    assert len(texts) == 2


# --- export ---------------------------------------------------------------------------


def _rows(response):
    import io

    from openpyxl import load_workbook

    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_the_export_holds_only_visible_cases_masked_and_is_audited(
    world, client, case_in_grid1, case_in_grid2
):
    worker = world.users["grid_worker"]
    client.force_login(worker)
    response = client.get(reverse("anju_cases_export"), {"tab": "all"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment;" in response["Content-Disposition"]
    rows = _rows(response)
    references = [row[0] for row in rows[1:]]
    assert references == [case_in_grid1.reference]
    flat = " ".join(str(v) for row in rows for v in row if v is not None)
    assert "13812345678" not in flat and "138****5678" in flat
    assert case_in_grid2.reference not in flat and "李大红" not in flat
    entry = AuditEntry.objects.get(user=worker)
    assert entry.object_id == str(case_in_grid1.pk) and entry.where == "export"


def test_the_export_follows_the_filters(world, client, case_in_grid1, case_in_grid2):
    from anju.services import workflow

    workflow.transition(case_in_grid2, Status.ACCEPTED, world.users["committee"])
    client.force_login(world.users["committee"])
    response = client.get(reverse("anju_cases_export"), {"tab": "all", "status": "accepted"})
    assert [row[0] for row in _rows(response)[1:]] == [case_in_grid2.reference]


def test_a_refused_export_writes_no_audit_entry(world, client, case_in_grid1):
    client.force_login(world.users["resident_rep"])
    assert client.get(reverse("anju_cases_export")).status_code == 403
    assert not AuditEntry.objects.exists()


# --- file on behalf -------------------------------------------------------------------


#: role -> status of the form page of a built service
FILE_FORM = {
    "superuser": 200,
    "committee": 200,
    "grid_worker": 200,
    "resident_rep": 403,
    "service_staff": 403,
    "resident": LOGIN,
    None: LOGIN,
}


@pytest.mark.parametrize("role", ROLES, ids=ids)
def test_who_may_file_on_behalf(world, client, built_service, role):
    login(client, world, role)
    assert_status(
        client.get(reverse("anju_cases_file_form", args=[built_service.pk])), FILE_FORM[role]
    )


def test_a_grid_worker_is_offered_only_their_grids_households(world, client, built_service):
    client.force_login(world.users["grid_worker"])
    response = client.get(reverse("anju_cases_file_form", args=[built_service.pk]))
    choices = list(response.context["household_form"].fields["household"].queryset)
    assert choices == [world.household1]


# --- the builder ----------------------------------------------------------------------

#: role -> (list of service forms, new form, edit a form)
BUILDER = {
    "superuser": (200, 200, 200),
    "committee": (200, 200, 200),
    "grid_worker": (200, 302, 302),  # may read the forms, not build them
    "resident_rep": (302, 302, 302),  # no view_service: Wagtail sends them home
    # Not a form of theirs (another community's, handled by grid workers): not found.
    "service_staff": (200, 302, 404),
    "resident": (LOGIN,) * 3,
    None: (LOGIN,) * 3,
}


@pytest.mark.parametrize("role", ROLES, ids=ids)
def test_who_may_use_the_builder(world, client, built_service, role):
    login(client, world, role)
    urls = [
        reverse("anju_service_forms:index"),
        reverse("anju_service_forms:add"),
        reverse("anju_service_forms:edit", args=[built_service.pk]),
    ]
    for url, expected in zip(urls, BUILDER[role], strict=True):
        response = client.get(url)
        assert_status(response, expected)
        if expected == 302:
            assert not response["Location"].startswith("/admin/login/")


def test_a_grid_worker_may_inspect_a_form(world, client, built_service):
    client.force_login(world.users["grid_worker"])
    response = client.get(reverse("anju_service_forms:inspect", args=[built_service.pk]))
    assert response.status_code == 200
    assert "紧急程度" in response.content.decode()


def test_the_menu_shows_what_each_role_may_open(world, client):
    client.force_login(world.users["resident_rep"])
    html = client.get("/admin/").content.decode()
    assert "cases-inbox" in html and "cases-figures" in html
    assert "cases-file" not in html and "service-forms" not in html
    client.force_login(world.users["committee"])
    html = client.get("/admin/").content.decode()
    for name in ("cases-inbox", "cases-figures", "cases-file", "service-forms"):
        assert name in html


def test_success_message_names_the_reference(world, client, case_in_grid1):
    client.force_login(world.users["grid_worker"])
    response = client.post(
        reverse("anju_case_transition", args=[case_in_grid1.pk]),
        {"to": Status.ACCEPTED},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any(format_reference(case_in_grid1.reference) in t for t in texts)
