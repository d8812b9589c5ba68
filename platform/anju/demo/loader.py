"""Builds the Anjuyuan (安居苑) demo. Deterministic and idempotent: running it twice
leaves the same data as running it once; every random choice comes from one seeded RNG.

Later layers add their own steps to ``STEPS`` (the core's) or contribute demo data
through the plugin contract.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from anju.permissions import roles
from anju.plugins.grants import setup_roles
from anju.portal.models import StandardPage
from anju.portal.site import ensure_home_page

from .community import load_community

SEED = 20261125
DEMO_PASSWORD = "anju-demo-2026"
ADMIN_USERNAME = "admin"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: roles.Role | None  # None: superuser


ACCOUNTS = (
    DemoAccount(ADMIN_USERNAME, "系统管理员", None),
    DemoAccount("weiyuan", "李建国", roles.COMMITTEE),  # committee seat on grids 1–2
    DemoAccount("weiyuan2", "赵红梅", roles.COMMITTEE),  # grids 3–4
    DemoAccount("weiyuan3", "孙德福", roles.COMMITTEE),  # grid 5
    *(
        DemoAccount(f"wanggeyuan{i}", name, roles.GRID_WORKER)
        for i, name in enumerate(["王秀英", "刘海燕", "陈志华", "杨春兰", "黄建军"], start=1)
    ),
    *(
        DemoAccount(f"daibiao{i}", name, roles.RESIDENT_REP)
        for i, name in enumerate(["张志强", "周玉珍", "吴国平", "徐桂芳", "马文斌"], start=1)
    ),
    DemoAccount("fuwu", "陈丽", roles.SERVICE_STAFF),
    # Staff of the partner organisations (合作单位): see only what is handed over to them.
    DemoAccount("ranqi", "周师傅（县燃气公司）", roles.PARTNER_STAFF),
    DemoAccount("xiaofang", "郑队长（县消防救援大队）", roles.PARTNER_STAFF),
    # Above the community: the county, the township and its service desks (便民服务站).
    DemoAccount("xianji", "钱卫东（县民政局）", roles.COUNTY_STAFF),
    DemoAccount("xiangzhen", "冯晓燕（安居镇）", roles.TOWNSHIP_STAFF),
    DemoAccount("bianmin", "何春燕（安居镇便民服务站）", roles.TOWNSHIP_DESK),
    DemoAccount("bianmin2", "罗志刚（城关镇便民服务站）", roles.TOWNSHIP_DESK),
    DemoAccount("jumin", "刘桂兰", roles.RESIDENT),
)

HOME_TITLE = "安居苑社区"
HOME_INTRO = "安居苑社区 870 户、2453 人，5 个网格，服务到家家户户。"
PAGES = (
    (
        "about",
        "社区简介",
        "安居苑是一个易地搬迁安置社区。",
        "<p>社区实行网格化服务管理，共划分 5 个网格，每个网格配备一名专职网格员，"
        "并由一名两委人员、一名网格员、一名居民代表组成“3个1”服务团队。</p>",
    ),
    (
        "service-station",
        "便民服务站",
        "镇上的工作人员在这里为居民办理业务，不用再跑回村里。",
        "<p>开放时间：周一至周五 8:30–12:00，14:30–17:30。</p>",
    ),
)


def _accounts(rng: random.Random, out: list[str], ctx: dict) -> None:
    User = get_user_model()
    groups = setup_roles()
    for account in ACCOUNTS:
        user, created = User.objects.get_or_create(username=account.username)
        user.first_name = account.full_name
        user.email = f"{account.username}@anjuyuan.example"
        user.is_superuser = account.role is None
        user.is_staff = account.role is None or account.role.staff
        if created:
            user.set_password(DEMO_PASSWORD)
        user.save()
        if account.role is not None:
            user.groups.set([groups[account.role.code]])
        ctx[account.username] = user
    out.append(f"accounts: {len(ACCOUNTS)}")


def _pages(rng: random.Random, out: list[str], ctx: dict) -> None:
    home = ensure_home_page()
    if (home.title, home.intro) != (HOME_TITLE, HOME_INTRO):
        home.title = home.draft_title = HOME_TITLE
        home.intro = HOME_INTRO
        home.save_revision().publish()
    existing = set(home.get_children().values_list("slug", flat=True))
    for slug, title, intro, body in PAGES:
        if slug not in existing:
            home.add_child(instance=StandardPage(title=title, slug=slug, intro=intro, body=body))
    out.append(f"pages: {len(PAGES) + 1}")


def _community(rng: random.Random, out: list[str], ctx: dict) -> None:
    from wagtail.models import Site

    from anju.portal.site import site_name

    load_community(rng, out, staff=ctx)
    # The admin names the site ("页面 … 安居苑"): the community, not "localhost".
    Site.objects.filter(is_default_site=True).update(site_name=site_name("安居"))
    # The portal site is Anjuyuan's own: a county adds its other communities with their
    # own sites (host names) beside it (anju.community.current_community).
    from anju.community.models import Community

    site = Site.objects.filter(is_default_site=True).first()
    if site is not None and not Community.objects.filter(site=site).exists():
        community = Community.objects.filter(code="anjuyuan").first()
        if community is not None and community.site_id is None:
            community.site = site
            community.save(update_fields=["site"])


#: (code, name, township staff account, desk staff account): the demo's townships.
#: Anjuyuan is in 安居镇; 城关镇 is where some of its residents' households are still
#: registered (户籍地), so their township cases go to that desk.
TOWNSHIPS = (
    ("anju_town", "安居镇", "xiangzhen", "bianmin"),
    ("chengguan", "城关镇", None, "bianmin2"),
)
#: One resident in this many is registered (户籍) in 城关镇.
REGISTERED_ELSEWHERE_EVERY = 8


def _townships(rng: random.Random, out: list[str], ctx: dict) -> None:
    """The townships above Anjuyuan, their staff and desk accounts, and each resident's
    township of household registration (户籍地)."""
    from anju.community.models import Community, Resident, Township

    townships = {}
    for code, name, staff, desk in TOWNSHIPS:
        township, _created = Township.objects.update_or_create(code=code, defaults={"name": name})
        if staff in ctx:
            township.staff.add(ctx[staff])
        if desk in ctx:
            township.desk_staff.add(ctx[desk])
        townships[code] = township
    Community.objects.filter(code="anjuyuan", township=None).update(township=townships["anju_town"])
    residents = Resident.objects.filter(community__code="anjuyuan")
    if not residents.exclude(hukou_township=None).exists():
        ids = list(residents.order_by("pk").values_list("pk", flat=True))
        elsewhere = ids[::REGISTERED_ELSEWHERE_EVERY]
        residents.filter(pk__in=elsewhere).update(hukou_township=townships["chengguan"])
        residents.exclude(pk__in=elsewhere).update(hukou_township=townships["anju_town"])
    out.append(
        f"townships: {len(TOWNSHIPS)} (accounts xianji, xiangzhen, bianmin, bianmin2); "
        f"one resident in {REGISTERED_ELSEWHERE_EVERY} registered in 城关镇"
    )


#: (code, name, phone, demo account): the community's partner organisations.
PARTNERS = (
    ("gas_company", "县燃气公司", "96777", "ranqi"),
    ("fire_brigade", "县消防救援大队", "119", "xiaofang"),
)


def _partners(rng: random.Random, out: list[str], ctx: dict) -> None:
    """The gas company and the fire brigade as Anjuyuan's partner organisations, each
    with its demo account (put in ``ctx`` by code for plugins' demo data)."""
    from anju.community.models import Community
    from anju.permissions import PartnerOrganisation

    community = Community.objects.filter(code="anjuyuan").first()
    if community is None:
        return
    for code, name, phone, username in PARTNERS:
        organisation, _created = PartnerOrganisation.objects.update_or_create(
            community=community, code=code, defaults={"name": name, "phone": phone}
        )
        if username in ctx:
            organisation.members.add(ctx[username])
        ctx[code] = organisation
    out.append(f"partner organisations: {len(PARTNERS)} (accounts ranqi, xiaofang)")


def _resident_account(rng: random.Random, out: list[str], ctx: dict) -> None:
    """The demo resident ``jumin`` signs in on the portal by phone (13907431234): the
    account is linked to a household of grid 1 as that household's head."""
    from anju.community.models import Resident, ResidentLink
    from anju.residents.models import ResidentAccount

    user = ctx.get("jumin")
    phone = "13907431234"
    resident = (
        Resident.objects.filter(household__building__grid__number=1, relation="head")
        .order_by("pk")
        .first()
    )
    if user is None or resident is None:
        return
    resident.phone = phone
    resident.save(update_fields=["phone"])
    ResidentAccount.objects.update_or_create(
        user=user, defaults={"phone": phone, "phone_digest": resident.phone_digest}
    )
    ResidentLink.objects.get_or_create(
        user=user,
        resident=resident,
        defaults={
            "state": ResidentLink.State.CONFIRMED,
            "grid_id": resident.household.building.grid_id,
            "community_id": resident.community_id,
        },
    )
    out.append(
        f"resident jumin: sign in at /sign-in/ with {phone}; the SMS code is printed on the "
        f"console (DEBUG) and kept in the SMS log — linked to {resident.name}, "
        f"{resident.household}"
    )


def _notices(rng: random.Random, out: list[str], ctx: dict) -> None:
    from .notices import load_notices

    load_notices(ensure_home_page(), out)


def _services(rng: random.Random, out: list[str], ctx: dict) -> None:
    from .services import load_services

    load_services(ensure_home_page(), rng, out, ctx)


def _campaigns(rng: random.Random, out: list[str], ctx: dict) -> None:
    from .campaigns import load_campaigns

    load_campaigns(rng, out, ctx)


def _plugins(rng: random.Random, out: list[str], ctx: dict) -> None:
    from anju.plugins.registry import contributions

    for contribution in contributions("demo_loaders"):
        contribution.item(rng, out, ctx)


#: Each step gets the seeded RNG, the summary lines to append to, and a dict shared by
#: the steps (the accounts step puts every demo user in it by username).
Step = Callable[[random.Random, list[str], dict], None]
STEPS: list[Step] = [
    _accounts,
    _pages,
    _community,
    _townships,
    _partners,
    _resident_account,
    _notices,
    _plugins,
    _services,
    _campaigns,
]


def load_demo() -> list[str]:
    """Load every step in one transaction; return one summary line per step."""
    rng = random.Random(SEED)
    out: list[str] = []
    ctx: dict = {}
    with transaction.atomic():
        for step in STEPS:
            step(rng, out, ctx)
    return out
