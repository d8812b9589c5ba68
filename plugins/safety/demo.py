"""What ``manage.py load_demo`` adds for gas and fire safety:

- every household's gas: most connected to piped gas since the county brought it in,
  some applied, a few not yet — and the LPG households remaining all in one building;
- the seasonal door-to-door check as a campaign with the standard checklist and two
  rounds (last season's, mostly done; this season's, under way);
- hazards from the failed items in every state: open, rectified and waiting for the
  re-check, failed a re-check, closed, overdue and escalated to the community, and one
  handed over to the fire brigade;
- a fire-safety drill with the fire brigade last season (and who came), and the next
  gas-safety talk with the gas company.

Idempotent: a second run adds nothing. Every random choice comes from ``rng``.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from anju.campaigns import Campaign, Outcome, Round, Target, TargetAnswer, start_round
from anju.community import Building, Community, GridTeamMember, Household, TeamRole
from anju.permissions import PartnerOrganisation
from anju.services import Case, Level, Status, escalate

from . import handling
from .models import GasState, GasStatus, Hazard, Item, SafetyTalk

COMMUNITY_CODE = "anjuyuan"
TITLE = "入户燃气与用火用电安全检查"
CHECKLIST_ITEMS = [i for i in Item.values if i != Item.OTHER]
REMARKS = {
    Item.GAS_HOSE: "灶具软管已超过使用年限，一端未加卡箍。",
    Item.LEAK_ALARM: "燃气报警器无电，不报警。",
    Item.VALVE_CLOSED: "出门未关燃气总阀。",
    Item.LPG_INDOORS: "厨房内存放液化气钢瓶两只。",
    Item.SOCKETS: "厨房插线板串接使用，负荷过大。",
    Item.WIRING: "卫生间电线老化外露。",
    Item.EBIKE: "电动车电池在客厅充电。",
    Item.SMOKE_ALARM: "烟雾报警器损坏。",
    Item.ESCAPE: "楼道堆放纸箱杂物，影响疏散。",
}


def load_demo(rng, out, ctx):
    community = Community.objects.filter(code=COMMUNITY_CODE).first()
    if community is None or Campaign.objects.filter(community=community, title=TITLE).exists():
        out.append("safety: already loaded" if community else "safety: no community")
        return
    households = list(
        Household.objects.filter(building__grid__community=community)
        .select_related("building__grid", "head")
        .order_by("pk")
    )
    lpg = _gas(rng, community, households)
    campaign, rounds = _campaign(community, ctx)
    hazards = _checks(rng, rounds, households)
    _talks(rng, community, households)
    out.append(
        f"safety: {len(households)} gas statuses ({lpg} on LPG in one building), "
        f"2 check rounds, {hazards} hazards in every state, 2 talks"
    )


def _gas(rng, community, households) -> int:
    lpg_building = (
        Building.objects.filter(grid__community=community).order_by("-grid__number", "-pk").first()
    )
    rows, lpg = [], 0
    for household in households:
        if household.building_id == lpg_building.pk and rng.random() < 0.6:
            state, cylinders = GasState.LPG, rng.randint(1, 2)
            lpg += 1
        else:
            roll = rng.random()
            state = (
                GasState.CONNECTED
                if roll < 0.9
                else GasState.APPLIED
                if roll < 0.96
                else GasState.NOT_CONNECTED
            )
            cylinders = 0
        rows.append(GasStatus(household=household, state=state, lpg_cylinders=cylinders))
    GasStatus.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return lpg


def _campaign(community, ctx):
    checklist = handling.checklist_service()
    today = timezone.localdate()
    this_season, _end = handling.season_bounds(today)
    last_season, _end = handling.season_bounds(this_season - datetime.timedelta(days=1))
    campaign = Campaign.objects.create(
        community=community,
        title=TITLE,
        description="网格员每季度逐户检查燃气、用火、用电安全，发现隐患当场登记、限期整改。",
        kind="safety",
        owner=ctx.get("weiyuan"),
        checklist=checklist,
        recurrence="season",
        starts_on=last_season,
        round_days=60,
    )
    first = start_round(campaign, starts_on=last_season)
    second = start_round(campaign, starts_on=this_season)
    # Last season's round is over.
    Round.objects.filter(pk=first.pk).update(status=Round.Status.CLOSED, closed_at=timezone.now())
    return campaign, [(first, 0.92, last_season), (second, 0.45, this_season)]


def _checks(rng, rounds, households) -> int:
    """Answer each round's targets in bulk (a share of them), then file the hazards of
    the failed items through the plugin (cases, deadlines) and give them their states."""
    version = handling.checklist_service().current_version
    failures = []
    for round_, share, starts in rounds:
        targets = list(
            Target.objects.filter(round=round_, household__isnull=False)
            .order_by("pk")
            .only("pk", "household_id", "assignee_id")
        )
        answers, ids = [], []
        for target in targets:
            if rng.random() >= share:
                continue
            when = timezone.make_aware(
                datetime.datetime.combine(
                    starts + datetime.timedelta(days=rng.randint(0, 20)), datetime.time(10)
                )
            )
            when = min(when, timezone.now())
            data = {item: "pass" for item in CHECKLIST_ITEMS}
            data["remarks"] = ""
            failed = None
            if rng.random() < 0.05:
                failed = rng.choice(CHECKLIST_ITEMS)
                data[failed] = "fail"
                data["remarks"] = REMARKS[failed]
            answers.append(
                TargetAnswer(
                    target_id=target.pk,
                    version=version,
                    data=data,
                    outcome=Outcome.DONE,
                    answered_by_id=target.assignee_id,
                    answered_at=when,
                )
            )
            ids.append(target.pk)
            if failed:
                failures.append((target, failed, when, answers[-1]))
        TargetAnswer.objects.bulk_create(answers, batch_size=1000)
        Target.objects.filter(pk__in=ids).update(outcome=Outcome.DONE, answered_at=timezone.now())
    by_pk = {h.pk: h for h in households}
    workers = {
        m.grid_id: m.user
        for m in GridTeamMember.objects.filter(role=TeamRole.GRID_WORKER).select_related("user")
    }
    made = []
    for target, item, when, answer in failures:
        household = by_pk[target.household_id]
        worker = workers.get(household.building.grid_id)
        saved = answer if answer.pk else TargetAnswer.objects.filter(target_id=target.pk).first()
        hazard = handling.file_hazard(
            household, item=item, actor=worker, description=REMARKS[item], answer=saved
        )
        made.append((hazard, worker, when))
    _states(rng, made)
    return len(made)


def _states(rng, made) -> None:
    """Give the hazards their stories: last season's are mostly closed; this season's
    are spread over every state."""
    now = timezone.now()
    states = ["closed", "rectified", "failed_recheck", "open", "overdue", "escalated", "partner"]
    for index, (hazard, worker, when) in enumerate(made):
        old = when < now - datetime.timedelta(days=60)
        state = "closed" if old and rng.random() < 0.8 else states[index % len(states)]
        hours = handling.deadline_hours(hazard.severity)
        Case.objects.filter(pk=hazard.case_id).update(
            created_at=when,
            accept_due=when + datetime.timedelta(hours=24),
            resolve_due=when + datetime.timedelta(hours=hours),
        )
        Hazard.objects.filter(pk=hazard.pk).update(created_at=when)
        hazard = Hazard.objects.select_related("case").get(pk=hazard.pk)
        if worker is None:
            continue
        if state == "closed":
            handling.rectify(hazard, worker, "已整改。")
            handling.recheck(hazard, worker, passed=True, note="复查合格。")
        elif state == "rectified":
            _fresh(hazard, now)
            handling.rectify(hazard, worker, "住户已更换，等待复查。")
        elif state == "failed_recheck":
            _fresh(hazard, now)
            handling.rectify(hazard, worker, "住户称已整改。")
            handling.recheck(hazard, worker, passed=False, note="复查仍不合格。")
        elif state == "open":
            _fresh(hazard, now)
        elif state == "overdue":  # the next SLA sweep escalates it to the community
            Case.objects.filter(pk=hazard.case_id).update(
                resolve_due=now - datetime.timedelta(hours=2)
            )
        elif state == "escalated":
            escalate(hazard.case, actor=worker, reason="住户拒不整改，提交社区协调。")
        elif state == "partner":
            escalate(hazard.case, actor=worker, reason="逾期未整改，提交社区。")
            Case.objects.filter(pk=hazard.case_id).update(
                level=Level.COMMUNITY,
                status=Status.ESCALATED,
                resolve_due=now - datetime.timedelta(days=1),
            )
            hazard = Hazard.objects.select_related("case").get(pk=hazard.pk)
            handling.escalate_to_partner([hazard])


def _fresh(hazard, now) -> None:
    """Keep a hazard of this season within its deadline."""
    hours = handling.deadline_hours(hazard.severity)
    Case.objects.filter(pk=hazard.case_id).update(
        created_at=now - datetime.timedelta(hours=1),
        resolve_due=now + datetime.timedelta(hours=hours),
    )


def _talks(rng, community, households) -> None:
    brigade = PartnerOrganisation.objects.filter(community=community, code="fire_brigade").first()
    gas = PartnerOrganisation.objects.filter(community=community, code="gas_company").first()
    today = timezone.localdate()
    drill = SafetyTalk.objects.create(
        community=community,
        title="消防安全讲座和灭火器使用演练",
        kind="drill",
        partner=brigade,
        starts_at=timezone.make_aware(
            datetime.datetime.combine(today - datetime.timedelta(days=10), datetime.time(15))
        ),
        place="社区文化广场",
    )
    drill.attendees.add(*[h for h in households if rng.random() < 0.35])
    return drill
    SafetyTalk.objects.create(
        community=community,
        title="天然气安全使用讲座",
        kind="talk",
        partner=gas,
        starts_at=timezone.make_aware(
            datetime.datetime.combine(today + datetime.timedelta(days=7), datetime.time(19))
        ),
        place="社区活动中心二楼",
    )
