"""Fixtures for the services engine: a staff-built service and a way to file cases.

``built_service`` — "报修" with a text, long text, choice and file field, handled by the
grid worker, 24 h to accept, 72 h to resolve. ``file_case(world, household=..., ...)``
files a case through the real ``submit`` path (so versions, assignee, SLA deadlines and
the timeline are what production makes).
"""

import pytest

from anju.services.fieldtypes import build_form_class
from anju.services.models import Service, ServiceField
from anju.services.submission import Requester, submit


@pytest.fixture
def built_service(world):
    service = Service.objects.create(
        title="报修",
        slug="repair",
        description="家里东西坏了，告诉我们。",
        community=world.community,
    )
    for order, (label, kind, required, choices) in enumerate(
        [
            ("什么坏了", "text", True, ""),
            ("详细情况", "long_text", False, ""),
            ("紧急程度", "choice", True, "一般\n紧急"),
            ("照片", "file", False, ""),
        ]
    ):
        ServiceField.objects.create(
            service=service,
            sort_order=order,
            label=label,
            field_type=kind,
            required=required,
            choices=choices,
        )
    service.snapshot()
    return service


def answers_for(service, **overrides):
    """Valid answers for ``service``'s current version, keyed by field name."""
    data = {}
    for spec in service.current_version.fields:
        if spec["type"] == "choice":
            data[spec["name"]] = spec["choices"][0]
        elif spec["type"] in ("text", "long_text"):
            data[spec["name"]] = "水管漏水"
    data.update(overrides)
    return data


def file_case(
    service,
    *,
    household=None,
    name="王小明",
    phone="13812345678",
    user=None,
    filed_by=None,
    key="",
    **answers,
):
    form = build_form_class(service.current_version.fields, filed_by or user)(
        answers_for(service, **answers)
    )
    assert form.is_valid(), form.errors
    case, _created = submit(
        service,
        form,
        requester=Requester(name=name, phone=phone, user=user),
        household=household,
        filed_by=filed_by,
        idempotency_key=key,
    )
    return case


@pytest.fixture
def case_in_grid1(world, built_service):
    return file_case(built_service, household=world.household1)


@pytest.fixture
def case_in_grid2(world, built_service):
    return file_case(built_service, household=world.household2, name="李大红", phone="13987654321")
