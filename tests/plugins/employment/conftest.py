"""Fixtures for the employment plugin: the job board under the portal's home page, a
helper that publishes a posting, job seekers, the subsidy schemes, and a way to file a
subsidy application through the real engine (``submit``)."""

import datetime
import itertools

import pytest
from django.utils import timezone

from anju.portal.site import ensure_home_page
from anju.services.fieldtypes import build_form_class
from anju.services.submission import Requester, submit
from plugins.employment.models import JobIndexPage, JobPostingPage, JobSeeker, Place
from plugins.employment.subsidies import ensure_subsidy_schemes

_slugs = itertools.count(1)


@pytest.fixture(autouse=True)
def _no_page_cache(settings, tmp_path):
    settings.PORTAL_CACHE_SECONDS = 0
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def board(world):
    home = ensure_home_page()
    return home.add_child(instance=JobIndexPage(title="招聘信息", slug="jobs"))


def make_posting(board, title="缝纫工", *, publish=True, days=10, **fields) -> JobPostingPage:
    values = {
        "employer": "鑫达服饰",
        "openings": 5,
        "pay_min": 3000,
        "pay_max": 4500,
        "place": Place.LOCAL,
        "place_detail": "社区扶贫车间",
        "contact": "陈老师 0851-2345678",
        "requirements": "会使用缝纫机。",
        "closing_date": timezone.localdate() + datetime.timedelta(days=days),
        "tags": [],
    }
    values.update(fields)
    posting = board.add_child(
        instance=JobPostingPage(title=title, slug=f"job-{next(_slugs)}", **values)
    )
    if publish:
        posting.save_revision().publish()
        posting.refresh_from_db()
    return posting


def make_seeker(resident, **fields) -> JobSeeker:
    values = {"wished_place": "either", "min_pay": None, "tags": []}
    values.update(fields)
    return JobSeeker.objects.create(resident=resident, **values)


@pytest.fixture
def schemes(world):
    return ensure_subsidy_schemes(world.community)


def file_application(scheme, resident, *, filed_by=None, files=None, **answers):
    """File an application for ``resident`` through the engine's ``submit``."""
    data = {
        "id_number": resident.id_number,
        "employer": "宁波华瑞电子有限公司",
        "work_place": "浙江省宁波市",
        "work_start": "2025-03-01",
        "work_end": "",
        "months_away": "9",
        "travel_date": "2025-02-27",
    }
    data.update(answers)
    form = build_form_class(scheme.service.current_version.fields, filed_by)(data, files or {})
    assert form.is_valid(), form.errors
    case, _created = submit(
        scheme.service,
        form,
        requester=Requester(name=resident.name, phone=resident.phone),
        household=resident.household,
        filed_by=filed_by,
    )
    return case
