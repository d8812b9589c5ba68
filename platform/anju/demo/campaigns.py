"""Demo campaigns for Anjuyuan, each with an open round in the state a real one reaches:

- 2026年养老保险资格认证: every resident aged 60+, the yearly certification the grid
  workers do on behalf of elderly residents who cannot use a phone — partly done;
- 医保缴费宣传: medical-insurance publicity to all 870 households — in progress;
- 低保年度复核: the yearly low-income review — done in four grids, lagging in grid 5.

Checklists are forms built with the services' builder (closed for requests). Rounds are
materialised with the engine's own bulk path; outcomes and answers are written in bulk.
Idempotent: a campaign is found by title and made once.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from anju.campaigns import rounds
from anju.campaigns.models import Campaign, Outcome, Target, TargetAnswer
from anju.community.models import Community, SpecialGroup
from anju.services.models import Service, ServiceField

from .community import CODE as COMMUNITY_CODE

CHECKLISTS = {
    "campaign-pension": (
        "养老认证入户记录",
        (("how", "认证方式", "choice", True, "上门代办\n本人手机认证\n子女代为认证"),),
    ),
    "campaign-insurance": (
        "医保宣传入户记录",
        (("intent", "缴费情况", "choice", True, "已缴费\n将缴费\n暂不缴费"),),
    ),
    "campaign-low-income": (
        "低保复核入户记录",
        (
            ("income", "家庭收入变化", "choice", True, "无变化\n有增加\n有减少"),
            ("members", "家庭人口变化", "choice", True, "无变化\n有变化"),
        ),
    ),
}


def _checklist(community, slug: str) -> Service:
    title, fields = CHECKLISTS[slug]
    service, created = Service.objects.get_or_create(
        slug=slug, defaults={"title": title, "community": community, "is_active": False}
    )
    if created:
        for order, (key, label, kind, required, choices) in enumerate(fields):
            ServiceField.objects.create(
                service=service,
                key=key,
                label=label,
                field_type=kind,
                required=required,
                choices=choices,
                sort_order=order,
            )
        service.snapshot()
    return service


def _settle(round_, rng: random.Random, share_by_grid: dict, default_share: float) -> int:
    """Answer a share of the round's targets (per grid number), in bulk."""
    version = round_.campaign.checklist.current_version
    targets = list(
        Target.objects.filter(round=round_)
        .select_related("grid")
        .order_by("pk")
        .only("pk", "assignee_id", "grid__number")
    )
    now = timezone.now()
    answers, by_outcome = [], {}
    for target in targets:
        share = share_by_grid.get(target.grid.number if target.grid else 0, default_share)
        roll = rng.random()
        if roll < share:
            outcome = Outcome.DONE
        elif roll < share + 0.08:
            outcome = Outcome.NOT_HOME
        elif roll < share + 0.10:
            outcome = Outcome.REFUSED
        else:
            continue
        when = now - datetime.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 8))
        data = {}
        if outcome == Outcome.DONE:
            data = {f["name"]: rng.choice(f["choices"]) for f in version.fields}
        answers.append(
            TargetAnswer(
                target_id=target.pk,
                version=version,
                data=data,
                outcome=outcome,
                answered_by_id=target.assignee_id,
                answered_at=when,
            )
        )
        by_outcome.setdefault(outcome, []).append(target.pk)
    TargetAnswer.objects.bulk_create(answers, batch_size=1000)
    for outcome, ids in by_outcome.items():
        Target.objects.filter(pk__in=ids).update(outcome=outcome, answered_at=now)
    return len(answers)


def load_campaigns(rng: random.Random, out: list[str], ctx: dict) -> None:
    community = Community.objects.get(code=COMMUNITY_CODE)
    if Campaign.objects.filter(community=community, title="医保缴费宣传").exists():
        out.append("campaigns: already loaded")
        return
    today = timezone.localdate()
    owner = ctx.get("weiyuan")
    hardship = Service.objects.filter(slug="hardship-help").first()
    made = []

    pension = Campaign.objects.create(
        community=community,
        title="2026年养老保险资格认证",
        description="为不会用手机认证的老人上门代办养老保险资格认证。",
        kind="certification",
        owner=owner,
        checklist=_checklist(community, "campaign-pension"),
        recurrence="yearly",
        starts_on=today - datetime.timedelta(days=30),
        round_days=60,
        target_kind="resident",
        min_age=60,
    )
    made.append((pension, {}, 0.45))

    insurance = Campaign.objects.create(
        community=community,
        title="医保缴费宣传",
        description="入户宣传城乡居民医保缴费政策，每户都要走到。",
        kind="publicity",
        owner=owner,
        checklist=_checklist(community, "campaign-insurance"),
        recurrence="yearly",
        starts_on=today - datetime.timedelta(days=14),
        round_days=45,
    )
    made.append((insurance, {}, 0.30))

    low_income = Campaign.objects.create(
        community=community,
        title="低保年度复核",
        description="逐户核实低保家庭收入和人口变化，有困难的当场登记求助。",
        kind="review",
        owner=owner,
        checklist=_checklist(community, "campaign-low-income"),
        case_service=hardship,
        recurrence="yearly",
        starts_on=today - datetime.timedelta(days=40),
        round_days=50,
    )
    low_income.rule_groups.set(SpecialGroup.objects.filter(code=SpecialGroup.LOW_INCOME))
    made.append((low_income, {5: 0.2}, 1.0))

    lines = []
    for campaign, shares, default in made:
        round_ = rounds.start_round(campaign, campaign.starts_on)
        answered = _settle(round_, rng, shares, default)
        lines.append(f"{campaign.title} {answered}/{round_.targets.count()}")
    out.append("campaigns: " + "; ".join(lines))
