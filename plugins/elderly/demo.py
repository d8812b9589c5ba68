"""What ``manage.py load_demo`` adds: a month of menus, lunches for a plausible share of
the 70+ residents (some delivered to the homebound), one welfare check raised and done,
rooms and activities with sign-ups. Idempotent: nothing is added if the menus exist.
Rows go in with bulk_create, so the loader stays fast."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from anju.community import Community, SpecialGroup

from . import canteen, welfare
from .models import (
    Activity,
    CanteenDay,
    Diner,
    Dish,
    EligibilityGrant,
    Meal,
    Menu,
    Option,
    Room,
    SignUp,
    WelfareCheck,
)

DISHES = {
    Option.REGULAR: [
        "红烧肉炖土豆",
        "西红柿炒鸡蛋",
        "清蒸鲈鱼",
        "土豆烧牛肉",
        "宫保鸡丁",
        "白菜豆腐",
    ],
    Option.SOFT: ["肉末蒸蛋", "南瓜小米粥", "清炖豆腐", "鱼肉丸子汤"],
    Option.LOW_SALT: ["清炒西兰花", "冬瓜排骨汤", "白灼菜心"],
    Option.DIABETIC: ["杂粮饭配清炒时蔬", "荞麦面", "凉拌黄瓜鸡丝"],
}
ACTIVITIES = [
    ("象棋友谊赛", Activity.Kind.CHESS, 10, 9),
    ("广场舞排练", Activity.Kind.DANCE, 30, 15),
    ("书法兴趣班", Activity.Kind.CALLIGRAPHY, 12, 9),
    ("健康讲座：冬季防跌倒", Activity.Kind.HEALTH_TALK, 40, 14),
]


def load_demo(rng, out, ctx):
    community = Community.objects.filter(code="anjuyuan").first() or Community.objects.first()
    if community is None or Menu.objects.filter(community=community).exists():
        return
    today = timezone.localdate()
    elders = list(
        canteen.eligible_residents(today)
        .filter(community=community)
        .prefetch_related("groups")
        .order_by("pk")
    )
    if not elders:
        return
    # One exception the committee granted: a disabled resident under 70.
    younger = (
        SpecialGroup.objects.filter(code=SpecialGroup.DISABLED)
        .values_list("residents", flat=True)
        .first()
    )
    if younger and younger not in {e.pk for e in elders}:
        EligibilityGrant.objects.get_or_create(
            resident_id=younger,
            defaults={
                "reason": "残疾，行动不便，经两委会研究同意",
                "granted_by": ctx.get("weiyuan"),
            },
        )
    _menus(rng, community, today)
    _holidays(community, today)
    diners = [e for e in elders if rng.random() < 0.4] or elders[:1]
    Diner.objects.bulk_create(
        [
            Diner(
                resident=e,
                option=rng.choice(
                    [Option.REGULAR] * 4 + [Option.SOFT, Option.LOW_SALT, Option.DIABETIC]
                ),
                dietary_note=rng.choice(["", "", "", "不吃辣", "牙口不好", "花生过敏"]),
            )
            for e in diners
        ],
        ignore_conflicts=True,
    )
    meals = _meals(rng, diners, today, ctx.get("fuwu"))
    _welfare(rng, elders, today, ctx.get("wanggeyuan1"))
    signups = _activities(rng, community, elders, today)
    out.append(
        f"elderly: {len(diners)} diners, {meals} meals, 1 welfare check, "
        f"{signups} activity sign-ups"
    )


def _menus(rng, community, today):
    monday = today - datetime.timedelta(days=today.weekday())
    for week in range(-4, 2):
        start = monday + datetime.timedelta(weeks=week)
        menu = Menu.objects.create(community=community, week_start=start, published=True)
        dishes = []
        for offset in range(5):
            day = start + datetime.timedelta(days=offset)
            for option, names in DISHES.items():
                dishes.append(Dish(menu=menu, day=day, name=rng.choice(names), option=option))
        Dish.objects.bulk_create(dishes)


def _holidays(community, today):
    """The next New Year's Day closes every community's canteen; the kitchen of this
    one was inspected a fortnight ago (a weekday with no meals in the demo)."""
    new_year = datetime.date(today.year + 1, 1, 1)
    CanteenDay.objects.get_or_create(date=new_year, community=None, defaults={"reason": "元旦"})
    CanteenDay.objects.get_or_create(
        date=_inspection_day(today),
        community=community,
        defaults={"reason": "厨房卫生检查，停餐一天"},
    )


def _inspection_day(today) -> datetime.date:
    day = today - datetime.timedelta(days=14)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def _meals(rng, diners, today, staff) -> int:
    first = today - datetime.timedelta(days=30)
    homebound = {
        e.pk for e in diners if {g.code for g in e.groups.all()} & set(canteen.HOMEBOUND_GROUPS)
    }
    inspection = _inspection_day(today)
    rows = []
    for day_offset in range(31):
        day = first + datetime.timedelta(days=day_offset)
        if day.weekday() >= 5 or day > today or day == inspection:
            continue
        for elder in diners:
            if rng.random() > 0.75:
                continue
            tier = canteen.price_tier(elder.birth_date, day)
            when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(11, 40)))
            delivery = elder.pk in homebound
            past = day < today
            rows.append(
                Meal(
                    resident=elder,
                    date=day,
                    option=Option.REGULAR,
                    channel=rng.choice([Meal.Channel.PORTAL, Meal.Channel.STAFF]),
                    delivery=delivery,
                    price=Decimal(tier["price"]),
                    subsidy=Decimal(tier["subsidy"]),
                    booked_at=when - datetime.timedelta(hours=4),
                    booked_by=staff,
                    served_at=when if past and not delivery else None,
                    delivered_at=when if past and delivery else None,
                )
            )
    Meal.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _welfare(rng, elders, today, worker):
    alone = [e for e in elders if SpecialGroup.LIVING_ALONE in {g.code for g in e.groups.all()}]
    if not alone or worker is None:
        return
    elder = alone[0]
    missed = welfare.working_days_before(today, 2)
    Meal.objects.filter(resident=elder, date__gte=missed[-1]).delete()
    last = (
        Meal.objects.filter(resident=elder).order_by("-date").values_list("date", flat=True).first()
    )
    check = WelfareCheck.objects.create(resident=elder, raised_on=missed[0], last_meal=last)
    welfare.mark_checked(check, worker, "老人感冒在家休息，已联系女儿照看，明天恢复来餐厅就餐。")


def _activities(rng, community, elders, today) -> int:
    room, _ = Room.objects.get_or_create(
        community=community, name="活动室", defaults={"capacity": 40}
    )
    hall, _ = Room.objects.get_or_create(
        community=community, name="多功能厅", defaults={"capacity": 60}
    )
    signups = []
    for week in range(-2, 3):
        for index, (title, kind, capacity, hour) in enumerate(ACTIVITIES):
            day = today + datetime.timedelta(weeks=week, days=index - today.weekday())
            starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
            activity = Activity.objects.create(
                community=community,
                title=title,
                kind=kind,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=2),
                room=hall if kind in (Activity.Kind.DANCE, Activity.Kind.HEALTH_TALK) else room,
                capacity=capacity,
            )
            chosen = rng.sample(elders, min(len(elders), capacity + 2))
            for position, elder in enumerate(chosen):
                confirmed = position < capacity
                signups.append(
                    SignUp(
                        activity=activity,
                        resident=elder,
                        status=SignUp.Status.CONFIRMED if confirmed else SignUp.Status.WAITING,
                        attended=confirmed and week < 0 and rng.random() < 0.8,
                    )
                )
    SignUp.objects.bulk_create(signups, ignore_conflicts=True)
    return len(signups)
