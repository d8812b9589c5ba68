"""Answering a target on the phone: each outcome, the checklist under its version, the
visit it records, a case it opens (linked both ways), and the refusals: another grid's
target is a 404, a closed round says why, bad input keeps the page with its errors."""

import pytest
from django.urls import reverse

from anju.campaigns import rounds
from anju.campaigns.models import Outcome, TargetAnswer
from anju.community.models import Visit
from anju.services.models import Case, CaseEvent, ServiceField

from .conftest import answer_fields

pytestmark = pytest.mark.django_db


def url(target):
    return reverse("anju_campaigns:answer", args=[target.pk])


@pytest.fixture
def worker(world, client):
    client.force_login(world.users["grid_worker"])
    return world.users["grid_worker"]


@pytest.mark.parametrize("outcome", [o for o in Outcome.values if o != Outcome.PENDING])
def test_each_outcome_is_recorded_with_a_visit(world, worker, client, target1, checklist, outcome):
    before = Visit.objects.count()
    response = client.post(
        url(target1), answer_fields(checklist, outcome=outcome, note="王阿姨在家")
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target1.refresh_from_db()
    assert target1.outcome == outcome and target1.answered_at is not None
    answer = TargetAnswer.objects.get(target=target1)
    assert answer.answered_by == worker and answer.outcome == outcome
    assert Visit.objects.count() == before + 1
    visit = answer.visit
    assert visit.household == world.household1 and visit.visitor == worker
    assert "燃气安全入户检查" in visit.basic_situation
    assert visit.follow_up_needed == (outcome == Outcome.FOLLOW_UP)
    if outcome in (Outcome.DONE, Outcome.FOLLOW_UP):
        assert answer.answers[0] == ("燃气阀门", "正常")
    else:
        assert answer.data == {}  # not reached: no checklist


def test_no_visit_when_told_not_to(world, worker, client, target1, checklist):
    data = answer_fields(checklist, outcome="done")
    del data["a-record_visit"]
    before = Visit.objects.count()
    assert client.post(url(target1), data).status_code == 302
    assert Visit.objects.count() == before
    assert TargetAnswer.objects.get().visit is None


def test_an_answer_opens_a_case_linked_both_ways(
    world, worker, client, target1, checklist, hazard_service
):
    data = answer_fields(checklist, outcome="follow_up", open_case="on")
    data["case-" + hazard_service.current_version.fields[0]["name"]] = "燃气软管老化"
    response = client.post(url(target1), data)
    assert response.status_code == 302
    answer = TargetAnswer.objects.get()
    case = answer.case
    assert case is not None and case.service == hazard_service
    assert case.household == world.household1 and case.filed_by == worker and case.on_behalf
    assert case.requester_name == "王小明"
    assert list(case.campaign_answers.all()) == [answer]  # and back
    note = CaseEvent.objects.get(case=case, kind=CaseEvent.Kind.COMMENT)
    assert "燃气安全入户检查" in note.text
    page = client.get(url(target1)).content.decode()
    assert case.reference in page
    # Filed on the resident's behalf: the consent is the visit, recorded by the worker,
    # and the case page says so instead of "No consent recorded".
    consent = case.consent
    assert consent.method == "at_visit" and consent.recorded_by == worker
    assert consent.phone_masked and consent.phone_masked != case.requester_phone
    detail = client.get(f"/admin/cases/{case.pk}/").content.decode()
    assert "走访时当面提出" in detail and "没有记录居民同意" not in detail


def test_a_filing_form_never_offers_the_visit_as_consent(world, worker, client):
    from anju.services.consent import ConsentForm, api_form

    assert "at_visit" not in dict(ConsentForm().fields["method"].choices)
    form = api_form({"consent_method": "at_visit"}, {})
    assert not form.is_valid() and "method" in form.errors


def test_a_case_for_a_head_without_a_phone_takes_a_housemates_number(
    world, worker, client, target1, checklist, hazard_service
):
    from tests.factories import ResidentFactory

    world.resident1.phone = ""
    world.resident1.save()
    ResidentFactory(
        household=world.household1, name="王小红", phone="13912345678", relation="child"
    )
    data = answer_fields(checklist, outcome="follow_up", open_case="on")
    data["case-" + hazard_service.current_version.fields[0]["name"]] = "燃气软管老化"
    assert client.post(url(target1), data).status_code == 302
    case = TargetAnswer.objects.get().case
    assert case.requester_name == "王小明"  # the case is still the head's
    assert case.requester_phone == "13912345678" and case.phone_last4 == "5678"


def test_a_case_with_bad_answers_saves_nothing(world, worker, client, target1, checklist):
    data = answer_fields(checklist, outcome="follow_up", open_case="on")  # case field missing
    response = client.post(url(target1), data)
    assert response.status_code == 400
    assert not TargetAnswer.objects.exists() and not Case.objects.exists()
    target1.refresh_from_db()
    assert target1.outcome == Outcome.PENDING


def test_a_missing_checklist_answer_or_outcome_is_an_error_not_a_500(
    world, worker, client, target1, checklist
):
    response = client.post(url(target1), {"a-outcome": "done"})
    assert response.status_code == 400
    response = client.post(url(target1), {"a-outcome": "bogus"})
    assert response.status_code == 400
    assert not TargetAnswer.objects.exists()


def test_another_grids_target_is_404(world, worker, client, target2, checklist):
    assert client.get(url(target2)).status_code == 404
    assert client.post(url(target2), answer_fields(checklist, outcome="done")).status_code == 404
    assert not TargetAnswer.objects.exists()


def test_a_closed_round_refuses_with_the_reason(world, worker, client, round_, target1, checklist):
    rounds.close_round(round_)
    page = client.get(url(target1)).content.decode()
    assert "data-refusal" in page and 'data-form="answer"' not in page
    response = client.post(url(target1), answer_fields(checklist, outcome="done"))
    assert response.status_code == 400
    assert "closed" in response.content.decode() or "结束" in response.content.decode()
    assert not TargetAnswer.objects.exists()


def test_a_checklist_change_mid_round_keeps_old_answers_readable(
    world, worker, client, target1, checklist
):
    client.post(url(target1), answer_fields(checklist, outcome="not_home"))
    client.post(url(target1), answer_fields(checklist, outcome="done", **{}))
    first_version = checklist.current_version
    # The committee renames the field and adds one: a new version.
    field = checklist.form_fields.get(label="燃气阀门")
    field.label = "燃气阀门状态"
    field.save()
    ServiceField.objects.create(
        service=checklist, label="报警器", field_type="choice", choices="有\n无", sort_order=5
    )
    checklist.snapshot()
    assert checklist.current_version != first_version
    rounds_target = target1
    data = answer_fields(checklist, outcome="done")
    data["c-" + checklist.current_version.fields[-1]["name"]] = "有"
    assert client.post(url(rounds_target), data).status_code == 302
    answers = list(TargetAnswer.objects.filter(target=target1).order_by("pk"))
    assert answers[1].version == first_version
    assert answers[1].answers == [("燃气阀门", "正常"), ("说明", "")]
    assert answers[2].answers[0] == ("燃气阀门状态", "正常")
    page = client.get(url(target1)).content.decode()
    assert "燃气阀门</dt>" in page and "燃气阀门状态</dt>" in page


def test_the_team_takes_over_and_representatives_only_read(
    world, client, target1, target2, checklist
):
    committee = world.users["committee"]
    client.force_login(committee)
    response = client.post(url(target1), {"take_over": "1"})
    assert response.status_code == 302
    target1.refresh_from_db()
    assert target1.assignee == committee
    client.force_login(world.users["resident_rep"])
    assert client.get(url(target1)).status_code == 200
    assert client.post(url(target1), {"take_over": "1"}).status_code == 403
    assert client.post(url(target1), answer_fields(checklist, outcome="done")).status_code == 403
    assert not TargetAnswer.objects.exists()
