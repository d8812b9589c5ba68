"""Input normalisation (anju.core.normalise), through the portal form, the admin form and
the API: full-width digits and Ｘ and spaces in ID numbers, phones and reference numbers
are made plain before they are checked; zero-width characters are stripped from every
text input, so a name made only of them is refused as empty."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from anju.community.idnumbers import make_id_number, validate_id_number
from anju.community.models import Resident
from anju.core.normalise import normalise_number, strip_invisible
from anju.services.models import Case, ServiceField, ServiceFormPage
from anju.services.submission import normalise_reference
from tests.platform.services.conftest import built_service, case_in_grid1  # noqa: F401

pytestmark = pytest.mark.django_db

ZW = "\u200b\u200c\u200d\u2060\ufeff"
BORN = datetime.date(1985, 3, 9)
VALID_ID = make_id_number("411421", BORN, 123)
FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def fullwidth(text: str) -> str:
    return text.translate(FULLWIDTH)


def spaced(number: str) -> str:
    return f"{number[:6]} {number[6:14]} {number[14:]}"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


# --- the one function -------------------------------------------------------------------


def test_normalise_number_makes_typed_numbers_plain():
    assert normalise_number("１３８ ００１３\u3000８０００") == "13800138000"
    assert normalise_number(f"{ZW}41142119850309123ｘ ") == "41142119850309123X"
    assert normalise_number(None) == ""
    assert normalise_reference("１２３４ ５６７８") == "12345678"
    assert strip_invisible(f"王{ZW}小明") == "王小明"


def test_a_fullwidth_id_number_is_checked_as_an_id_number():
    validate_id_number(fullwidth(VALID_ID))  # no "birth date invalid"
    validate_id_number(spaced(VALID_ID))


# --- the portal -------------------------------------------------------------------------


@pytest.fixture
def form_page(world, built_service):  # noqa: F811
    from anju.portal.site import ensure_home_page

    ServiceField.objects.create(
        service=built_service, sort_order=9, label="身份证号", field_type="id_number"
    )
    built_service.snapshot()
    return ensure_home_page().add_child(
        instance=ServiceFormPage(title="我要报修", slug="repair", service=built_service)
    )


def portal_post(service, **extra):
    names = {spec["label"]: spec["name"] for spec in service.current_version.fields}
    data = {
        names["什么坏了"]: "厨房水管",
        names["紧急程度"]: "紧急",
        names["身份证号"]: VALID_ID,
        "requester-requester_name": "王小明",
        "requester-requester_phone": "13812345678",
        "requester-idempotency_key": "key-0001",
    }
    data.update({names.get(key, key): value for key, value in extra.items()})
    return data


def test_portal_accepts_fullwidth_id_number_and_phone(client, form_page):
    data = portal_post(
        form_page.service,
        身份证号=fullwidth(VALID_ID),
        **{"requester-requester_phone": "１３８ １２３４ ５６７８"},
    )
    response = client.post("/repair/", data)
    assert response.status_code == 200
    case = Case.objects.get()
    assert dict(case.answers)["身份证号"] == VALID_ID[:4] + "*" * 10 + VALID_ID[-4:]
    assert case.requester_phone == "13812345678" and case.phone_last4 == "5678"


def test_portal_refuses_a_zero_width_name_as_empty(client, form_page):
    data = portal_post(form_page.service, **{"requester-requester_name": ZW})
    response = client.post("/repair/", data)
    assert response.status_code == 400
    assert not Case.objects.exists()
    form = response.context["requester_form"]
    assert [error.code for error in form.errors.as_data()["requester_name"]] == ["required"]


def test_portal_zero_width_characters_are_stripped_from_saved_text(client, form_page):
    data = portal_post(
        form_page.service, 什么坏了=f"厨房{ZW}水管", **{"requester-requester_name": f"王{ZW}小明"}
    )
    assert client.post("/repair/", data).status_code == 200
    case = Case.objects.get()
    assert case.requester_name == "王小明"
    assert dict(case.answers)["什么坏了"] == "厨房水管"


def test_portal_tracking_finds_a_fullwidth_reference(client, case_in_grid1):  # noqa: F811
    typed = fullwidth(f"{case_in_grid1.reference[:4]} {case_in_grid1.reference[4:]}")
    response = client.post("/cases/track/", {"reference": typed, "phone_last4": "５６７８"})
    assert response.status_code == 200
    assert case_in_grid1.reference[:4] in response.content.decode()
    assert response.context["case"] == case_in_grid1


def test_api_tracking_finds_a_fullwidth_reference(case_in_grid1):  # noqa: F811
    typed = fullwidth(case_in_grid1.reference)
    for fmt in ("json", "multipart"):
        response = APIClient().post(
            "/api/services/track/",
            {"reference": f"{ZW}{typed}", "phone_last4": "5678"},
            format=fmt,
        )
        assert response.status_code == 200, response.content
        assert response.json()["reference"] == case_in_grid1.reference


# --- the admin --------------------------------------------------------------------------


def admin_url():
    return reverse("community_resident:add")


def resident_data(household, **overrides):
    data = {
        "household": household.pk,
        "name": "赵新来",
        "gender": "M",
        "birth_date": BORN.isoformat(),
        "id_number": VALID_ID,
        "phone": "13912345678",
        "relation": Resident.Relation.HEAD,
        "note": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("typed", [spaced(VALID_ID), fullwidth(VALID_ID), f"{ZW}{VALID_ID}"])
def test_admin_accepts_an_id_number_as_typed_on_a_phone(world, client, typed):
    client.force_login(world.users["grid_worker"])
    data = resident_data(world.household1, id_number=typed, phone="１３９ １２３４ ５６７８")
    response = client.post(admin_url(), data)
    assert response.status_code == 302, response.context["form"].errors
    resident = Resident.objects.get(name="赵新来")
    assert resident.id_number == VALID_ID
    assert resident.phone == "13912345678"


def test_admin_refuses_a_zero_width_name_as_empty(world, client):
    client.force_login(world.users["grid_worker"])
    response = client.post(admin_url(), resident_data(world.household1, name=ZW))
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert [error.code for error in errors["name"]] == ["required"]
    assert not Resident.objects.filter(id_number=VALID_ID).exists()


def test_admin_still_names_a_real_birth_date_problem(world, client):
    client.force_login(world.users["grid_worker"])
    first17 = "411421" + "19990231" + "001"
    from anju.community.idnumbers import check_char

    bad = fullwidth(first17 + check_char(first17))
    response = client.post(admin_url(), resident_data(world.household1, id_number=bad))
    errors = response.context["form"].errors.as_data()
    assert "id_birth_date" in {error.code for error in errors["id_number"]}


# --- the API ----------------------------------------------------------------------------


def api_resident(world, **changes):
    data = {
        "household": world.household1.pk,
        "name": "赵六",
        "gender": "M",
        "birth_date": BORN.isoformat(),
        "id_number": VALID_ID,
        "phone": "13912345678",
        "relation": "child",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize("typed", [spaced(VALID_ID), fullwidth(VALID_ID)])
def test_api_accepts_an_id_number_as_typed_on_a_phone(world, client, typed):
    client.force_login(world.users["grid_worker"])
    response = client.post(
        "/api/community/residents/",
        api_resident(world, id_number=typed, phone="１３９ １２３４ ５６７８"),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    resident = Resident.objects.get(pk=response.json()["id"])
    assert resident.id_number == VALID_ID
    assert resident.phone == "13912345678"


def test_api_refuses_a_zero_width_name_as_empty(world, client):
    client.force_login(world.users["grid_worker"])
    response = client.post(
        "/api/community/residents/",
        api_resident(world, name=ZW),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "name" in response.json()
    assert not Resident.objects.filter(name="").exists()


def test_api_submission_strips_zero_width_and_normalises_the_phone(world, built_service):  # noqa: F811
    names = {spec["label"]: spec["name"] for spec in built_service.current_version.fields}
    data = {
        names["什么坏了"]: "水管",
        names["紧急程度"]: "一般",
        "requester_name": f"王{ZW}小明",
        "requester_phone": "１３８１２３４５６７８",
    }
    response = APIClient().post(
        f"/api/services/forms/{built_service.slug}/submit/", data, format="json"
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.requester_name == "王小明" and case.requester_phone == "13812345678"
    empty = APIClient().post(
        f"/api/services/forms/{built_service.slug}/submit/",
        {**data, "requester_name": ZW},
        format="json",
    )
    assert empty.status_code == 400
    assert "requester_name" in empty.json()
