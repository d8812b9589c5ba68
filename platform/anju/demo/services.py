"""Demo services for Anjuyuan: three forms staff built in the admin (报修, 开具证明,
困难求助), each published as a portal page, and about forty requests from the past four
months in the states real ones end up in — most closed with the resident's satisfaction,
some still open, a few escalated to the community, a few filed by grid workers on a
resident's behalf (代办). And one service of the one-stop service station handled by the
township desks (户籍业务, "handled by: service desk of the requester's township"): a few
requests filed through the real submission path, so each is routed to the desk of the
requester's township of household registration (户籍地) — 安居镇's (account ``bianmin``)
or, for residents registered in 城关镇, that desk's (``bianmin2``).

Cases are written in bulk with their whole timeline (the workflow functions stamp the
present time; these happened weeks ago). Every path they take is one the workflow allows
(``workflow.TRANSITIONS``). Idempotent: services and pages are found by slug, and the
cases are made only when none of these services has any yet.
"""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy

from anju.community.models import GridTeamMember, Household, TeamRole
from anju.services.models import (
    Case,
    CaseEvent,
    HandlerRole,
    Level,
    Service,
    ServiceField,
    ServiceFormPage,
    Status,
    record_text,
)
from anju.services.workflow import TRANSITIONS

from .community import CODE as COMMUNITY_CODE

CASES = 40
HOUR = datetime.timedelta(hours=1)

SERVICES = (
    {
        "slug": "repair",
        "title": "报修",
        "description": "家里或楼道里的东西坏了，告诉我们，网格员会尽快联系您。",
        "handler_role": HandlerRole.GRID_WORKER,
        "accept_hours": 24,
        "resolve_hours": 72,
        "fields": (
            ("what", "什么坏了", "text", True, "", "例如：厨房水管、楼道灯"),
            ("details", "详细情况", "long_text", False, "", "在哪里、什么时候开始的"),
            ("urgency", "紧急程度", "choice", True, "一般\n紧急\n非常紧急", ""),
            ("photo", "照片", "file", False, "", "可以拍一张照片"),
        ),
        "page": ("repair", "我要报修", "水管、电灯、门窗坏了，在这里报修。"),
    },
    {
        "slug": "certificate",
        "title": "开具证明",
        "description": "居住证明、家庭关系证明等，由便民服务站办理。",
        "handler_role": HandlerRole.SERVICE_STAFF,
        "accept_hours": 24,
        "resolve_hours": 120,
        "fields": (
            (
                "kind",
                "证明类型",
                "choice",
                True,
                "居住证明\n家庭成员关系证明\n收入情况证明\n其他",
                "",
            ),
            ("id_number", "身份证号", "id_number", True, "", "需要开证明的人的身份证号"),
            ("purpose", "用途", "text", True, "", "例如：孩子上学、办理社保"),
            ("note", "备注", "long_text", False, "", ""),
        ),
        "page": ("certificate", "开具证明", "在网上提交，办好后到便民服务站领取。"),
    },
    {
        "slug": "hardship-help",
        "title": "困难求助",
        "description": "生活上遇到难处，告诉社区两委，我们帮您想办法。",
        "handler_role": HandlerRole.COMMITTEE,
        "accept_hours": 12,
        "resolve_hours": 120,
        "fields": (
            (
                "difficulty",
                "遇到的困难",
                "choice",
                True,
                "生活困难\n看病就医\n子女上学\n住房问题\n其他",
                "",
            ),
            ("situation", "具体情况", "long_text", True, "", ""),
            ("phone", "其他联系电话", "phone", False, "", "家人的电话也可以"),
        ),
        "page": ("hardship-help", "困难求助", "遇到难处不要一个人扛，社区两委帮您想办法。"),
    },
)

REPAIRS = (
    ("厨房水管漏水", "水管接口一直在滴水，下面的柜子都湿了。"),
    ("楼道灯不亮", "三楼到四楼的楼道灯坏了一个星期，老人晚上上楼不方便。"),
    ("单元门门禁坏了", "刷卡没反应，门一直关不上。"),
    ("卫生间下水堵塞", "地漏下水很慢，有异味。"),
    ("窗户关不严", "卧室窗户合页松了，刮风的时候漏风。"),
    ("暖气不热", "入冬以后暖气一直只有一点温度。"),
    ("楼顶漏水", "下雨天顶楼几户的天花板都在渗水。"),
)
CERTIFICATES = (
    ("居住证明", "孩子上学"),
    ("家庭成员关系证明", "办理社保"),
    ("收入情况证明", "申请低保"),
    ("居住证明", "银行开户"),
)
HARDSHIPS = (
    ("看病就医", "老伴住院做手术，自付部分拿不出来。"),
    ("生活困难", "一个人住，腿脚不方便，买菜做饭很困难。"),
    ("子女上学", "孩子考上高中，学费和住宿费有困难。"),
    ("住房问题", "房子墙面开裂，担心安全。"),
)
REPLIES = {
    "repair": ("已联系维修师傅，明天上午上门。", "师傅已上门查看，需要换零件，后天来修。"),
    "certificate": ("材料已收到，正在审核。", "证明已开好，请带身份证到便民服务站领取。"),
    "hardship-help": ("已上门了解情况，正在帮您申请临时救助。", "救助申请已提交民政办。"),
}
NOTES = (
    "该户老人独居，上门时注意多陪着聊几句。",
    "已和物业沟通，费用由维修基金出。",
    "需核对户籍信息。",
)
FOLLOW_UPS = (
    "电话回访：问题已解决，居民满意。",
    "上门回访：已经修好，居民表示感谢。",
    "电话回访：已办好。",
)
REJECTIONS = {
    "certificate": "收入情况证明需本人携带户口本到便民服务站现场办理，请您抽空过来。",
    "repair": "屋内电器维修不属于社区受理范围，已告知居民联系售后。",
    "hardship-help": "已转交民政办统一受理。",
}


def _form_page(home, existing: set, spec: dict, service, thank_you: str) -> None:
    """The service's portal page under the home page, unless its slug is taken."""
    slug, title, intro = spec["page"]
    if slug not in existing:
        home.add_child(
            instance=ServiceFormPage(
                title=title, slug=slug, service=service, intro=intro, thank_you=thank_you
            )
        )


def load_services(home, rng: random.Random, out: list[str], staff: dict) -> None:
    services = [_service(spec) for spec in SERVICES]
    existing = set(home.get_children().values_list("slug", flat=True))
    for spec, service in zip(SERVICES, services, strict=True):
        _form_page(home, existing, spec, service, "工作人员会按您留的电话联系您，请保持电话畅通。")
    _desk_service(home, existing, out, staff)
    if Case.objects.filter(service__in=services).exists():
        out.append(f"services: {len(services)} forms, cases already loaded")
        return
    made = _cases(rng, services, staff)
    out.append(f"services: {len(services)} forms with portal pages, {made} cases")


#: The township desks' service (便民服务站): handled at the desk of the requester's 户籍地.
DESK_SERVICE = {
    "slug": "hukou-affairs",
    "title": "户籍业务",
    "description": "户籍证明、户口迁移等户籍业务，由您户籍所在乡镇的便民服务站办理。",
    "handler_role": HandlerRole.TOWNSHIP,
    "accept_hours": 24,
    "resolve_hours": 120,
    "fields": (
        ("matter", "办理事项", "choice", True, "户籍证明\n户口迁移\n户口本补办\n其他", ""),
        ("details", "具体情况", "long_text", False, "", "例如：开证明的用途"),
    ),
    "page": (
        "hukou-affairs",
        "户籍业务",
        "在网上提交，由您户籍所在乡镇的便民服务站办理，不用再跑回村里。",
    ),
}
#: The desk requests: (matter, details, 户籍地 code of the requester, what the desk did).
DESK_CASES = (
    ("户籍证明", "孩子上学需要户籍证明。", "anju_town", "accepted"),
    ("户口迁移", "想把户口从村里迁到安居苑。", "anju_town", "waiting"),
    ("户口本补办", "户口本搬家时丢了。", "anju_town", "resolved"),
    ("户籍证明", "办理社保需要户籍证明。", "chengguan", "waiting"),
    ("户口迁移", "老家的户口还在城关镇，想迁过来。", "chengguan", "accepted"),
)


def _desk_service(home, existing: set, out: list[str], staff: dict):
    """The township desks' service, its portal page, and (once) a few requests filed as
    a resident files them — so each goes to the desk of the requester's 户籍地."""
    from anju.services.fieldtypes import build_form_class
    from anju.services.submission import Requester, submit
    from anju.services.workflow import transition

    service = _service(DESK_SERVICE)
    _form_page(
        home,
        existing,
        DESK_SERVICE,
        service,
        "便民服务站的工作人员会按您留的电话联系您，请保持电话畅通。",
    )
    if Case.objects.filter(service=service).exists():
        out.append("township desk service 户籍业务: cases already loaded")
        return service
    from anju.community.models import Resident

    made = 0
    residents = (
        Resident.objects.filter(community__code=COMMUNITY_CODE)
        .exclude(phone=None)
        .select_related("household", "hukou_township")
        .order_by("pk")
    )
    by_township: dict[str, list] = {}
    for resident in residents[:400]:
        if resident.hukou_township is not None and resident.phone:
            by_township.setdefault(resident.hukou_township.code, []).append(resident)
    used: dict[str, int] = {}
    for matter, details, township, plan in DESK_CASES:
        candidates = by_township.get(township, [])
        if used.get(township, 0) >= len(candidates):
            continue
        resident = candidates[used.get(township, 0)]
        used[township] = used.get(township, 0) + 1
        form = build_form_class(service.current_version.fields)(
            {"matter": matter, "details": details}
        )
        if not form.is_valid():
            continue
        case, _created = submit(
            service,
            form,
            requester=Requester(name=resident.name, phone=resident.phone),
            household=resident.household,
        )
        desk = staff.get("bianmin" if township == "anju_town" else "bianmin2")
        if desk is not None and plan in ("accepted", "resolved"):
            transition(case, Status.ACCEPTED, desk)
            if plan == "resolved":
                transition(case, Status.RESOLVED, desk, note="证明已开好，请到便民服务站领取。")
        made += 1
    out.append(
        f"township desk service 户籍业务 with its portal page: {made} requests routed to the "
        "desk of each requester's 户籍地 (accounts bianmin, bianmin2)"
    )
    return service


def _service(spec: dict) -> Service:
    from anju.community.models import Community

    service = Service.objects.filter(slug=spec["slug"]).first()
    if service is not None:
        return service
    service = Service.objects.create(
        community=Community.objects.get(code=COMMUNITY_CODE),
        title=spec["title"],
        slug=spec["slug"],
        description=spec["description"],
        handler_role=spec["handler_role"],
        accept_hours=spec["accept_hours"],
        resolve_hours=spec["resolve_hours"],
    )
    for order, (key, label, kind, required, choices, help_text) in enumerate(spec["fields"]):
        ServiceField.objects.create(
            service=service,
            sort_order=order,
            key=key,
            label=label,
            field_type=kind,
            required=required,
            choices=choices,
            help_text=help_text,
        )
    service.snapshot()
    return service


# --- cases --------------------------------------------------------------------------


class _Story:
    """One case as it happened: its row, and its timeline as it grew."""

    def __init__(self, case: Case):
        self.case = case
        self.events: list[CaseEvent] = []
        self.status = Status.SUBMITTED
        self.event(
            CaseEvent.Kind.FILED,
            case.created_at,
            case.filed_by,
            public=True,
            text=record_text(gettext_lazy("Filed on the resident's behalf"))
            if case.on_behalf
            else "",
        )

    def event(self, kind, at, actor=None, *, to=None, text="", public=True):
        frm = ""
        if kind == CaseEvent.Kind.FILED:
            to = Status.SUBMITTED
        elif to is not None:
            assert to in TRANSITIONS[self.status], (self.status, to)  # as the workflow allows
            frm, self.status = self.status, to
        self.events.append(
            CaseEvent(
                kind=kind,
                from_status=frm,
                to_status=to or "",
                actor=actor,
                text=text,
                public=public,
                created_at=at,
            )
        )


#: How the old cases (filed 10–120 days ago) ended, and what the recent ones are doing.
OLD, RECENT = 30, CASES - 30
OLD_PLANS = ["rejected"] * 2 + ["escalated"] * 2 + ["closed"] * (OLD - 4)
RECENT_PLANS = ["overdue", "swept"] + ["by_age"] * (RECENT - 2)


def _cases(rng: random.Random, services: list[Service], staff: dict) -> int:
    now = timezone.now().replace(microsecond=0)
    by_slug = {s.slug: s for s in services}
    seats = {
        (grid_id, role): user_id
        for grid_id, role, user_id in GridTeamMember.objects.filter(
            grid__community__code=COMMUNITY_CODE
        ).values_list("grid_id", "role", "user_id")
    }
    User = get_user_model()
    users = {u.pk: u for u in User.objects.filter(pk__in=set(seats.values()))}
    pool = list(
        Household.objects.filter(building__grid__community__code=COMMUNITY_CODE, head__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    chosen = rng.sample(pool, CASES)
    households = Household.objects.select_related("head", "building__grid").in_bulk(chosen)
    resident_account = staff.get("jumin")
    service_staff = staff.get("fuwu")
    taken = set(Case.objects.values_list("reference", flat=True))

    old_plans, recent_plans = OLD_PLANS[:], RECENT_PLANS[:]
    rng.shuffle(old_plans)
    rng.shuffle(recent_plans)
    # Oldest first: (days ago, plan).
    plans = sorted(
        [(rng.uniform(10, 120), plan) for plan in old_plans]
        + [(rng.uniform(0.2, 10), plan) for plan in recent_plans],
        reverse=True,
    )
    stories = []
    for index, (days, plan) in enumerate(plans):
        if plan == "escalated":
            slug = "repair"  # a leak over several flats: the grid cannot fix it alone
        else:
            slug = rng.choices(["repair", "certificate", "hardship-help"], weights=[55, 30, 15])[0]
        if plan == "overdue":
            days = 1.25  # filed 30 hours ago, nobody has taken it on: the next sweep's
            slug = "repair"
        service = by_slug[slug]
        household = households[chosen[index]]
        grid_id = household.building.grid_id
        head = household.head
        requester_user = None
        name, phone = head.name, head.phone or f"139{rng.randrange(10**8):08d}"
        if resident_account is not None and index in (5, CASES - 2):
            # Two of the demo resident's own requests: "My requests" lists them.
            requester_user = resident_account
            name, phone = resident_account.get_full_name() or "刘桂兰", "13907431234"
        worker = users.get(seats.get((grid_id, TeamRole.GRID_WORKER)))
        committee = users.get(seats.get((grid_id, TeamRole.COMMITTEE)))
        on_behalf = requester_user is None and worker is not None and rng.random() < 0.15
        if service.handler_role == HandlerRole.GRID_WORKER:
            assignee = worker
        elif service.handler_role == HandlerRole.COMMITTEE:
            assignee = committee
        else:
            assignee = None
        created = now - datetime.timedelta(days=days)
        reference = _reference(rng, taken)
        taken.add(reference)
        digits = "".join(ch for ch in phone if ch.isdigit())
        case = Case(
            reference=reference,
            service=service,
            version=service.current_version,
            community_id=household.building.grid.community_id,
            grid_id=grid_id,
            household=household,
            requester_user=requester_user,
            requester_name=name,
            requester_phone=digits,
            phone_last4=digits[-4:],
            filed_by=worker if on_behalf else requester_user,
            on_behalf=on_behalf,
            data=_answers(rng, slug, head, plan),
            assignee=assignee,
            accept_due=created + service.accept_hours * HOUR,
            resolve_due=created + service.resolve_hours * HOUR,
            created_at=created,
        )
        story = _Story(case)
        handler = assignee or service_staff or committee
        _live(rng, story, plan, days, now, handler, committee)
        case.status = story.status
        stories.append(story)

    Case.objects.bulk_create([s.case for s in stories])
    for story in stories:
        for event in story.events:
            event.case = story.case
    CaseEvent.objects.bulk_create([e for s in stories for e in s.events], batch_size=500)
    return len(stories)


def _reference(rng: random.Random, taken: set[str]) -> str:
    while True:
        reference = str(rng.randrange(10_000_000, 100_000_000))
        if reference not in taken:
            return reference


def _answers(rng: random.Random, slug: str, head, plan: str) -> dict:
    if slug == "repair":
        what, details = REPAIRS[-1] if plan == "escalated" else rng.choice(REPAIRS[:-1])
        return {
            "what": what,
            "details": details,
            "urgency": rng.choices(["一般", "紧急", "非常紧急"], weights=[6, 3, 1])[0],
        }
    if slug == "certificate":
        kind, purpose = rng.choice(CERTIFICATES)
        return {"kind": kind, "id_number": head.id_number, "purpose": purpose}
    difficulty, situation = rng.choice(HARDSHIPS)
    return {"difficulty": difficulty, "situation": situation}


def _live(rng, story: _Story, plan: str, days: float, now, handler, committee) -> None:
    """Walk the case from filing to where it stands today, stamping each step."""
    case = story.case
    service = case.service
    slug = service.slug
    at = case.created_at

    def later(low: float, high: float):
        nonlocal at
        at = min(at + rng.uniform(low, high) * HOUR, now - 0.05 * HOUR)
        return at

    def status(to, actor=handler, text=""):
        story.event(CaseEvent.Kind.STATUS, at, actor, to=to, text=text)

    def reply(actor, text, public=True):
        story.event(CaseEvent.Kind.COMMENT, at, actor, text=text, public=public)

    def escalate(actor, text, *, by_the_clock=False):
        case.level, case.escalated_at, case.assignee = Level.COMMUNITY, at, committee
        case.resolve_due = at + service.resolve_hours * HOUR
        case.sla_breached = by_the_clock
        story.event(CaseEvent.Kind.ESCALATED, at, actor, to=Status.ESCALATED, text=text)

    if plan == "overdue" or (plan == "by_age" and days < 0.6):
        return  # just filed, or past its accept-by time and waiting for the sweep
    if plan == "swept":
        # Nobody took it on in time: the SLA sweep sent it up to the community.
        at = case.accept_due + rng.uniform(0.01, 0.08) * HOUR
        escalate(None, "在网格超时未受理，已自动上报社区。", by_the_clock=True)
        return

    later(0.5, service.accept_hours * 0.8)
    if plan == "rejected":
        case.rejection_reason = REJECTIONS[slug]
        status(Status.REJECTED, text=case.rejection_reason)
        return
    case.accepted_at = at
    if case.assignee is None:
        case.assignee = handler  # whoever takes it on holds it
    status(Status.ACCEPTED)
    if plan == "escalated":
        later(2, 20)
        escalate(handler, "涉及多户和公共部位，需要社区协调维修基金。")
        later(24, 96)
        reply(committee, "已请物业和施工队现场查看，维修基金申请已提交。")
        later(24, 72)
        case.resolved_at = at
        status(Status.RESOLVED, committee)
        _follow_up(rng, story, later, committee)
        return
    if days < 1.5:
        return
    later(1, 12)
    status(Status.IN_PROGRESS)
    later(2, 30)
    reply(handler, REPLIES[slug][0])
    if rng.random() < 0.3:
        reply(handler, rng.choice(NOTES), public=False)
    if days < 4:
        return
    later(6, min(service.resolve_hours, 60))
    reply(handler, REPLIES[slug][1])
    case.resolved_at = at
    status(Status.RESOLVED)
    if plan == "by_age" and days < 7:
        return  # waiting for the follow-up call
    _follow_up(rng, story, later, handler)


def _follow_up(rng, story: _Story, later, actor) -> None:
    case = story.case
    if rng.random() < 0.08:
        # Not settled: back to work, then settled on the second call.
        at = later(20, 48)
        case.settled = False
        story.event(
            CaseEvent.Kind.FOLLOW_UP,
            at,
            actor,
            to=Status.IN_PROGRESS,
            text="电话回访：还没有完全解决，重新处理。",
            public=False,
        )
        case.resolved_at = later(24, 48)
        story.event(CaseEvent.Kind.STATUS, case.resolved_at, actor, to=Status.RESOLVED)
    case.settled = True
    case.satisfaction = rng.choices([5, 4, 3, 2], weights=[55, 30, 10, 5])[0]
    case.closed_at = later(20, 48)
    story.event(
        CaseEvent.Kind.FOLLOW_UP,
        case.closed_at,
        actor,
        to=Status.CLOSED,
        text=rng.choice(FOLLOW_UPS),
        public=False,
    )
