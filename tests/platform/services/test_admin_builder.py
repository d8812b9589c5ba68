"""The service builder, end to end: a committee member builds a form in the admin, it is
published as a portal page, a resident files a request, staff work it to its close;
then the form is edited and becomes version 2 while the earlier case still reads as it
was filed. A plugin's form can only have its handling changed."""

import pytest
from django.urls import reverse

from anju.services.models import Case, FormVersion, Service, ServiceField, ServiceFormPage, Status

pytestmark = pytest.mark.django_db


def field_rows(rows, initial=0, ids=()):
    """Management and row data of the "form_fields" inline formset."""
    data = {
        "form_fields-TOTAL_FORMS": str(len(rows)),
        "form_fields-INITIAL_FORMS": str(initial),
        "form_fields-MIN_NUM_FORMS": "0",
        "form_fields-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        prefix = f"form_fields-{i}-"
        data.update(
            {
                prefix + "label": row["label"],
                prefix + "field_type": row["type"],
                prefix + "help_text": row.get("help_text", ""),
                prefix + "choices": row.get("choices", ""),
                prefix + "ORDER": str(i + 1),
                prefix + "DELETE": "",
                prefix + "id": str(ids[i]) if i < len(ids) else "",
            }
        )
        if row.get("required", True):
            data[prefix + "required"] = "on"
    return data


def service_data(world, rows, **overrides):
    data = {
        "title": "开具居住证明",
        "slug": "residence-proof",
        "description": "需要居住证明的居民填写。",
        "community": str(world.community.pk),
        "handler_role": "grid_worker",
        "accept_hours": "24",
        "resident_hours": "",
        "resolve_hours": "72",
        "allow_anonymous": "on",
        "is_active": "on",
        **field_rows(rows),
    }
    data.update(overrides)
    return data


FIELDS_V1 = [
    {"label": "用途", "type": "choice", "choices": "办理入学\n办理社保"},
    {"label": "居住年限", "type": "number"},
]


def test_build_publish_file_work_and_edit_a_form(world, client):
    from anju.portal.site import ensure_home_page

    committee = world.users["committee"]
    client.force_login(committee)
    response = client.post(reverse("anju_service_forms:add"), service_data(world, FIELDS_V1))
    assert response.status_code == 302, response.context["form"].errors
    service = Service.objects.get(slug="residence-proof")
    assert service.kind == Service.Kind.BUILT
    v1 = service.current_version
    assert v1.number == 1 and [f["label"] for f in v1.fields] == ["用途", "居住年限"]
    assert v1.created_by == committee

    # Published on the portal as a page.
    home = ensure_home_page()
    page = home.add_child(
        instance=ServiceFormPage(title="居住证明", slug="residence-proof", service=service)
    )
    client.logout()
    assert client.get(page.url).status_code == 200
    names = [f["name"] for f in v1.fields]
    response = client.post(
        page.url,
        {
            names[0]: "办理入学",
            names[1]: "5",
            "requester-requester_name": "赵大爷",
            "requester-requester_phone": "13912340000",
            "requester-idempotency_key": "k-1",
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    case = Case.objects.get(service=service)
    assert case.version == v1

    # A portal request carries no household: the committee (the whole community) works it.
    client.force_login(committee)
    for to in (Status.ACCEPTED, Status.RESOLVED):
        assert (
            client.post(reverse("anju_case_transition", args=[case.pk]), {"to": to}).status_code
            == 302
        )
    assert (
        client.post(
            reverse("anju_case_follow_up", args=[case.pk]), {"settled": "yes", "satisfaction": "5"}
        ).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.satisfaction == 5

    # Edit: rename a label, add a field.
    ids = list(service.form_fields.order_by("sort_order").values_list("pk", flat=True))
    rows = [
        {"label": "证明用途", "type": "choice", "choices": "办理入学\n办理社保"},
        {"label": "居住年限", "type": "number"},
        {"label": "备注", "type": "long_text", "required": False},
    ]
    data = service_data(world, rows)
    data.update(field_rows(rows, initial=2, ids=ids))
    response = client.post(reverse("anju_service_forms:edit", args=[service.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    service.refresh_from_db()
    v2 = service.current_version
    assert v2.number == 2
    assert [f["label"] for f in v2.fields] == ["证明用途", "居住年限", "备注"]
    assert v2.fields[0]["name"] == v1.fields[0]["name"]  # answers stay matched by key

    # The earlier case still reads as it was filed.
    case = Case.objects.get(pk=case.pk)
    assert case.version == v1
    assert [label for label, _value in case.answers] == ["用途", "居住年限"]
    html = client.get(reverse("anju_case", args=[case.pk])).content.decode()
    assert "用途" in html and "证明用途" not in html

    # Saving again without changes makes no new version.
    client.post(
        reverse("anju_service_forms:edit", args=[service.pk]),
        {
            **data,
            **field_rows(
                rows,
                initial=3,
                ids=list(service.form_fields.order_by("sort_order").values_list("pk", flat=True)),
            ),
        },
    )
    assert FormVersion.objects.filter(service=service).count() == 2


def test_a_choice_field_needs_its_choices(world, client):
    client.force_login(world.users["committee"])
    rows = [{"label": "用途", "type": "choice", "choices": ""}]
    response = client.post(reverse("anju_service_forms:add"), service_data(world, rows))
    assert response.status_code == 200
    assert not Service.objects.filter(slug="residence-proof").exists()


def test_the_community_menu_lists_only_the_users_communities(world, client):
    from tests.factories import CommunityFactory

    other = CommunityFactory(code="other")
    client.force_login(world.users["committee"])
    response = client.post(
        reverse("anju_service_forms:add"), service_data(world, FIELDS_V1, community=str(other.pk))
    )
    assert response.status_code == 200
    assert "community" in response.context["form"].errors


def test_a_grid_worker_cannot_build_forms(world, client):
    client.force_login(world.users["grid_worker"])
    response = client.post(reverse("anju_service_forms:add"), service_data(world, FIELDS_V1))
    assert response.status_code == 302
    assert not Service.objects.filter(slug="residence-proof").exists()


def test_a_plugins_form_can_only_have_its_handling_changed(world, client):
    service = Service.objects.create(
        kind=Service.Kind.CODE, plugin="dummy", slug="dummy-signup", title="报名"
    )
    client.force_login(world.users["committee"])
    response = client.get(reverse("anju_service_forms:edit", args=[service.pk]))
    assert response.status_code == 200
    fields = set(response.context["form"].fields)
    assert fields == {
        "community",
        "handler_role",
        "accept_hours",
        "resolve_hours",
        "allow_anonymous",
        "is_active",
    }
    response = client.post(
        reverse("anju_service_forms:edit", args=[service.pk]),
        {
            "title": "改名",
            "community": "",
            "handler_role": "service_staff",
            "accept_hours": "4",
            "resolve_hours": "48",
            "is_active": "on",
            **field_rows([{"label": "新字段", "type": "text"}]),
        },
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.title == "报名" and service.handler_role == "service_staff"
    assert service.accept_hours == 4 and not service.allow_anonymous
    assert not ServiceField.objects.filter(service=service).exists()
    assert not service.versions.exists()  # a plugin's versions come from its code


def test_a_service_with_cases_is_not_deleted(world, client, case_in_grid1, built_service):
    client.force_login(world.users["committee"])
    response = client.post(reverse("anju_service_forms:delete", args=[built_service.pk]))
    assert response.status_code == 302
    assert Service.objects.filter(pk=built_service.pk).exists()
