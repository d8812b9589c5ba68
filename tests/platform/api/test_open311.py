"""Open311 GeoReport v2 over the services engine: the specification's required fields
in JSON and XML, filing with an API key (idempotent), following requests with public
fields only, and GeoReport errors for bad input."""

from xml.etree import ElementTree

import pytest
from rest_framework.test import APIClient

from anju.api.models import TokenKind
from anju.api.scopes import NOTICES_READ, REQUESTS_FILE
from anju.services.models import Case

from .conftest import token_for

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = {
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
}
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
    "long", "media_url",
}  # fmt: skip
ATTRIBUTE_FIELDS = {
    "variable", "code", "datatype", "required", "datatype_description", "order",
    "description", "values",
}  # fmt: skip


@pytest.fixture
def key(world):
    return token_for(world.users["committee"], kind=TokenKind.INTEGRATION, scopes=[REQUESTS_FILE])[
        1
    ]


def field_names(service):
    return {f["label"]: f["name"] for f in service.current_version.fields}


def post_request(built_service, api_key, idempotency=None, **extra):
    names = field_names(built_service)
    data = {
        "api_key": api_key,
        "service_code": built_service.slug,
        f"attribute[{names['紧急程度']}]": "紧急",
        "description": "楼道灯坏了",
        "first_name": "小明",
        "last_name": "王",
        "phone": "13812345678",
        "lat": "28.2",
        "long": "112.9",
        **extra,
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": idempotency} if idempotency else {}
    return APIClient().post("/open311/v2/requests.json", data, **headers)


def test_discovery_names_the_specification(world):
    data = APIClient().get("/open311/v2/discovery.json").json()
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert "text/xml" in endpoint["formats"] and data["changeset"]


def test_services_list_has_the_required_fields(world, built_service):
    services = APIClient().get("/open311/v2/services.json").json()
    repair = next(s for s in services if s["service_code"] == "repair")
    assert set(repair) == SERVICE_FIELDS
    assert repair["service_name"] == "报修" and repair["metadata"] is True
    assert repair["type"] == "realtime"


def test_services_list_in_xml(world, built_service):
    response = APIClient().get("/open311/v2/services.xml")
    assert response["Content-Type"].startswith("text/xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "services"
    service = root.find("service")
    assert {child.tag for child in service} == SERVICE_FIELDS
    assert service.findtext("service_code") == "repair"


def test_service_definition_lists_attributes_without_file_fields(world, built_service):
    data = APIClient().get("/open311/v2/services/repair.json").json()
    assert data["service_code"] == "repair"
    by_label = {a["description"]: a for a in data["attributes"]}
    assert set(by_label) == {"什么坏了", "详细情况", "紧急程度"}  # the photo field is left out
    urgency = by_label["紧急程度"]
    assert set(urgency) == ATTRIBUTE_FIELDS
    assert urgency["datatype"] == "singlevaluelist" and urgency["required"] is True
    assert [v["name"] for v in urgency["values"]] == ["一般", "紧急"]
    assert by_label["详细情况"]["datatype"] == "text"

    xml = ElementTree.fromstring(APIClient().get("/open311/v2/services/repair.xml").content)
    assert xml.tag == "service_definition"
    assert len(xml.find("attributes").findall("attribute")) == 3


def test_an_unknown_service_code_is_a_georeport_404(world):
    response = APIClient().get("/open311/v2/services/nope.json")
    assert response.status_code == 404
    [error] = response.json()
    assert error["code"] == 404 and "nope" in error["description"]


def test_filing_a_request_with_a_key_and_following_it(world, built_service, key):
    response = post_request(built_service, key)
    assert response.status_code == 201, response.content
    [answer] = response.json()
    reference = answer["service_request_id"]
    assert reference in answer["service_notice"]
    case = Case.objects.get(reference=reference)
    assert case.requester_name == "王小明" and case.service == built_service
    assert "楼道灯坏了" in str(case.answers)

    [read] = APIClient().get(f"/open311/v2/requests/{reference}.json").json()
    assert set(read) == REQUEST_FIELDS
    assert (read["status"], read["service_code"]) == ("open", "repair")
    assert read["status_notes"] == "已提交"
    # Public fields only: nothing of the requester or their answers.
    body = APIClient().get(f"/open311/v2/requests/{reference}.json").content.decode()
    assert "王小明" not in body and "13812345678" not in body and "楼道灯" not in body

    xml = ElementTree.fromstring(APIClient().get(f"/open311/v2/requests/{reference}.xml").content)
    assert xml.tag == "service_requests"
    assert xml.find("request").findtext("service_request_id") == reference


def test_a_replayed_post_makes_one_request(world, built_service, key):
    first = post_request(built_service, key, idempotency="abc-123")
    again = post_request(built_service, key, idempotency="abc-123")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()[0]["service_request_id"] == again.json()[0]["service_request_id"]
    assert Case.objects.count() == 1


def test_closed_statuses_and_the_detailed_status(world, built_service, key):
    reference = post_request(built_service, key).json()[0]["service_request_id"]
    Case.objects.filter(reference=reference).update(status="rejected")
    [read] = APIClient().get(f"/open311/v2/requests/{reference}.json").json()
    assert (read["status"], read["status_notes"]) == ("closed", "不予受理")


def test_requests_by_status_and_dates(world, built_service, key):
    first = post_request(built_service, key, idempotency="1").json()[0]["service_request_id"]
    second = post_request(built_service, key, idempotency="2").json()[0]["service_request_id"]
    Case.objects.filter(reference=second).update(status="closed")
    client = APIClient()
    opened = client.get("/open311/v2/requests.json", {"status": "open"}).json()
    assert [r["service_request_id"] for r in opened] == [first]
    both = client.get("/open311/v2/requests.json", {"service_request_id": f"{first},{second}"})
    assert {r["service_request_id"] for r in both.json()} == {first, second}
    old = client.get("/open311/v2/requests.json", {"end_date": "2020-01-01T00:00:00Z"}).json()
    assert old == []
    bad = client.get("/open311/v2/requests.json", {"start_date": "yesterday"})
    assert bad.status_code == 400 and bad.json()[0]["code"] == 400


def test_missing_attributes_are_a_georeport_400(world, built_service, key):
    names = field_names(built_service)
    response = post_request(built_service, key, **{f"attribute[{names['紧急程度']}]": ""})
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and names["紧急程度"] in error["description"]
    assert not Case.objects.exists()


def test_unknown_service_codes_on_post_are_a_georeport_error(world, built_service, key):
    response = post_request(built_service, key, service_code="nope")
    assert response.status_code == 404 and response.json()[0]["code"] == 404
    response = post_request(built_service, key, service_code="")
    assert response.status_code == 400


def test_filing_needs_a_key_with_the_scope(world, built_service):
    anonymous = APIClient().post("/open311/v2/requests.json", {"service_code": "repair"})
    assert anonymous.status_code == 403 and anonymous.json()[0]["code"] == 403
    bad = post_request(built_service, "anju_wrong")
    assert bad.status_code == 401 and "Bearer" in bad["WWW-Authenticate"]
    notices_only = token_for(
        world.users["committee"], kind=TokenKind.INTEGRATION, scopes=[NOTICES_READ]
    )[1]
    refused = post_request(built_service, notices_only)
    assert refused.status_code == 403
    assert not Case.objects.exists()


def test_the_list_costs_constant_queries(world, built_service, key, django_assert_max_num_queries):
    for n in range(5):
        post_request(built_service, key, idempotency=str(n))
    with django_assert_max_num_queries(8):
        rows = APIClient().get("/open311/v2/requests.json").json()
    assert len(rows) == 5
