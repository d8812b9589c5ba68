"""What ``manage.py load_demo`` adds: a year of Anjuyuan's disputes — about twenty, all
settled (most in the grid, a few in the community), with their mediation sessions and
follow-ups — and a screening round per grid and month. Idempotent: a second run adds
nothing."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from anju.community import Community, Grid, Household, TeamRole
from anju.services import Case, CaseEvent, Level, Requester, Status, service_for_code_form, submit

from .forms import DisputeReportForm
from .handling import create_dispute
from .models import (
    Dispute,
    DisputeParty,
    DisputeType,
    MediationSession,
    RiskLevel,
    ScreeningRound,
)
from .services import REPORT_FORM

COMMUNITY_CODE = "anjuyuan"
DISPUTES = 20

# (type, what happened, where, agreement)
STORIES = (
    (
        DisputeType.PROPERTY,
        "楼上卫生间漏水，渗到楼下天花板，两家为维修费用起争执。",
        "{building}{unit}",
        "楼上住户负责修复防水层，并承担楼下天花板粉刷费用。",
    ),
    (
        DisputeType.NEIGHBOUR,
        "邻居在楼道堆放杂物，影响通行，双方发生口角。",
        "{building}{unit}楼道",
        "三日内清理楼道杂物，今后不再堆放。",
    ),
    (
        DisputeType.NEIGHBOUR,
        "楼上夜间噪音大，影响楼下老人休息。",
        "{building}{unit}",
        "晚上十点后不再拖动家具、不大声播放音乐。",
    ),
    (
        DisputeType.FAMILY,
        "兄弟二人因赡养老母亲的费用分担产生矛盾。",
        "{building}{unit}{room}",
        "兄弟二人每月各承担一半赡养费，轮流照看母亲。",
    ),
    (
        DisputeType.FAMILY,
        "婆媳因照看孩子的方式长期不和，经常争吵。",
        "{building}{unit}{room}",
        "家庭成员约定分工，互相体谅，网格员一个月后回访。",
    ),
    (
        DisputeType.WAGES,
        "在附近工地务工，包工头拖欠两个月工资。",
        "社区外工地",
        "包工头承诺分两次在月底前付清欠薪。",
    ),
    (
        DisputeType.PROPERTY,
        "空调外机滴水落在楼下阳台，双方多次交涉未果。",
        "{building}{unit}",
        "加装冷凝水管，接入排水管道。",
    ),
    (
        DisputeType.LAND,
        "搬迁前老家宅基地边界与邻居说法不一。",
        "原村宅基地",
        "双方认可村委会的测量结果，按原界线确定。",
    ),
    (
        DisputeType.NEIGHBOUR,
        "宠物狗在楼道便溺，邻居不满。",
        "{building}{unit}楼道",
        "养犬户及时清理，出门牵绳。",
    ),
    (
        DisputeType.OTHER,
        "电动车在楼道充电，邻居担心安全。",
        "{building}{unit}楼道",
        "改到小区集中充电桩充电。",
    ),
)
ATTENDEES = "双方当事人、网格员、居民代表"


def load_demo(rng, out, ctx):
    # Draw from the shared RNG the same way whether or not anything is added, so a
    # second run leaves every later loader's choices unchanged.
    local = random.Random(rng.random())
    community = Community.objects.filter(code=COMMUNITY_CODE).first()
    if community is None:
        out.append("disputes: no demo community")
        return
    if Dispute.objects.filter(case__community=community).exists():
        out.append("disputes: already loaded")
        return
    grids = list(Grid.objects.filter(community=community).order_by("number"))
    workers = _seats(grids, TeamRole.GRID_WORKER)
    committee = _seats(grids, TeamRole.COMMITTEE)
    if not grids or not workers:
        out.append("disputes: no grid teams")
        return
    service = service_for_code_form("disputes", REPORT_FORM)
    now = timezone.now()
    made = 0
    for number in range(DISPUTES):
        grid = grids[number % len(grids)]
        worker = workers.get(grid.pk)
        households = list(
            Household.objects.filter(building__grid=grid)
            .select_related("building")
            .order_by("pk")[:200]
        )
        household = local.choice(households)
        residents = list(household.residents.order_by("pk"))
        if not residents or worker is None:
            continue
        raiser = residents[0]
        neighbour = local.choice(households)
        other = neighbour.residents.order_by("pk").first()
        kind, story, place, agreement = STORIES[number % len(STORIES)]
        filed_at = now - datetime.timedelta(days=360 - number * 17, hours=local.randrange(0, 8))
        in_community = number % 7 == 3  # about three of twenty go up to the community
        days = local.randint(1, 4) if not in_community else local.randint(6, 15)
        resolved_at = filed_at + datetime.timedelta(days=days, hours=local.randrange(1, 6))
        form = DisputeReportForm(
            {
                "dispute_type": kind,
                "summary": story,
                "place": place.format(
                    building=household.building.name, unit=household.unit, room=household.room
                ),
                "other_party": other.name if other else "",
            }
        )
        form.is_valid()
        parties = [DisputeParty(resident=raiser)]
        if other and other.pk != raiser.pk:
            parties.append(DisputeParty(resident=other))
        if kind == DisputeType.WAGES:
            parties.append(
                DisputeParty(name="赵某（包工头）", phone="139" + f"{local.randrange(10**8):08d}")
            )

        def on_submit(case, _form, form=form, parties=parties, in_community=in_community):
            create_dispute(
                case,
                dispute_type=form.cleaned_data["dispute_type"],
                summary=form.cleaned_data["summary"],
                place=form.cleaned_data["place"],
                risk=RiskLevel.MEDIUM if in_community else RiskLevel.LOW,
                parties=parties,
            )

        case, _created = submit(
            service,
            form,
            requester=Requester(name=raiser.name, phone=raiser.phone or "13800000000"),
            household=household,
            filed_by=worker,
            idempotency_key=f"demo-dispute-{number}",
            on_submit=on_submit,
        )
        _settle(
            case, worker, committee.get(grid.pk), filed_at, resolved_at, in_community, agreement
        )
        made += 1
    rounds = _screening_rounds(grids, workers, local, now)
    out.append(f"disputes: {made} disputes, {rounds} screening rounds")


def _seats(grids, role) -> dict:
    from anju.community import GridTeamMember

    return {
        seat.grid_id: seat.user
        for seat in GridTeamMember.objects.filter(grid__in=grids, role=role).select_related("user")
    }


def _settle(case, worker, holder, filed_at, resolved_at, in_community, agreement) -> None:
    """Write the dispute's year-ago history directly: the workflow functions stamp
    'now', and the demo needs last year's dates."""
    dispute = case.dispute
    accepted_at = filed_at + datetime.timedelta(hours=2)
    session_at = filed_at + (resolved_at - filed_at) / 2
    closed_at = resolved_at + datetime.timedelta(days=7)
    if in_community:
        CaseEvent.objects.create(
            case=case,
            kind=CaseEvent.Kind.ESCALATED,
            actor=worker,
            to_status=Status.ESCALATED,
            text="双方分歧较大，网格内调解未果，提交社区调委会。",
            public=True,
            created_at=filed_at + datetime.timedelta(days=2),
        )
    mediator = holder if in_community and holder else worker
    MediationSession.objects.create(
        dispute=dispute,
        held_at=session_at,
        mediator=mediator,
        attendees=ATTENDEES,
        agreement=agreement,
    )
    for kind, to_status, when, actor in (
        (CaseEvent.Kind.STATUS, Status.ACCEPTED, accepted_at, worker),
        (CaseEvent.Kind.STATUS, Status.RESOLVED, resolved_at, mediator),
        (CaseEvent.Kind.FOLLOW_UP, Status.CLOSED, closed_at, worker),
    ):
        CaseEvent.objects.create(
            case=case,
            kind=kind,
            actor=actor,
            to_status=to_status,
            public=kind != CaseEvent.Kind.FOLLOW_UP,
            created_at=when,
        )
    CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.FILED).update(created_at=filed_at)
    Case.objects.filter(pk=case.pk).update(
        created_at=filed_at,
        accepted_at=accepted_at,
        escalated_at=filed_at + datetime.timedelta(days=2) if in_community else None,
        level=Level.COMMUNITY if in_community else Level.GRID,
        assignee=mediator,
        status=Status.CLOSED,
        resolved_at=resolved_at,
        closed_at=closed_at,
        settled=True,
        satisfaction=5,
        accept_due=filed_at + datetime.timedelta(hours=24),
        resolve_due=filed_at + datetime.timedelta(hours=240),
    )
    # Its level and outcome are the case's: settled in the grid or in the community.
    Dispute.objects.filter(pk=dispute.pk).update(created_at=filed_at)


def _screening_rounds(grids, workers, local, now) -> int:
    """One round per grid for each of the last twelve months — except that this month
    two grids have not screened yet, so the committee's view has something to show."""
    month = timezone.localdate(now).replace(day=1)
    rows = []
    for back in range(12):
        first = month
        for _step in range(back):
            first = (first - datetime.timedelta(days=1)).replace(day=1)
        for grid in grids:
            if back == 0 and grid.number >= 4:
                continue
            found = local.choice((0, 0, 0, 1, 1, 2))
            rows.append(
                ScreeningRound(
                    grid=grid,
                    month=first,
                    done_by=workers.get(grid.pk),
                    found=found,
                    note="结合入户走访排查，未发现矛盾纠纷。"
                    if not found
                    else "已登记，正在调解。",
                )
            )
    ScreeningRound.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)
