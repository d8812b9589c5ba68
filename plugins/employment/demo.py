"""What ``manage.py load_demo`` adds for the employment plugin: the job board with
local and away postings (a 巾帼护航·职等你来 drive with the women's federation among
them), job seekers, migrant-work records, a course with a waiting list, and subsidy
applications filed by a grid worker. Idempotent: each part is added only if missing."""

from __future__ import annotations

import datetime

from django.utils import timezone

from anju.community import Community, Resident, SpecialGroup
from anju.portal import ensure_home_page
from anju.services import Requester, build_form_class, submit

from . import training
from .fields import JobTag
from .models import (
    Course,
    CourseSession,
    JobIndexPage,
    JobPostingPage,
    JobSeeker,
    MigrantWork,
    Place,
    WishedPlace,
)
from .subsidies import applications, ensure_subsidy_schemes

DRIVE = "巾帼护航·职等你来"

# (slug, title, employer, openings, pay_min, pay_max, place, where, hours, tags, drive,
#  days until closing)
POSTINGS = (
    (
        "sewing-worker",
        "缝纫工",
        "安居扶贫车间（鑫达服饰）",
        30,
        2800,
        4200,
        Place.LOCAL,
        "社区扶贫车间",
        "8:00–12:00，14:00–18:00，计件",
        [JobTag.WOMEN, JobTag.TRAINING, JobTag.NEAR_HOME],
        DRIVE,
        30,
    ),
    (
        "housekeeper",
        "家政服务员",
        "县巾帼家政服务公司",
        15,
        3000,
        4500,
        Place.LOCAL,
        "县城",
        "每天8小时，可做钟点工",
        [JobTag.WOMEN, JobTag.OLDER, JobTag.TRAINING, JobTag.FLEXIBLE],
        DRIVE,
        30,
    ),
    (
        "electronics-operator",
        "电子厂普工",
        "宁波华瑞电子有限公司",
        50,
        4500,
        6500,
        Place.AWAY,
        "浙江省宁波市",
        "两班倒，每月休4天",
        [JobTag.BOARD, JobTag.TRAINING],
        "",
        45,
    ),
    (
        "rebar-worker",
        "钢筋工",
        "苏州建工集团第三项目部",
        20,
        7000,
        9500,
        Place.AWAY,
        "江苏省苏州市",
        "按工程进度",
        [JobTag.BOARD],
        "",
        20,
    ),
    (
        "community-cleaner",
        "社区保洁员",
        "安居苑物业服务中心",
        4,
        2000,
        2400,
        Place.LOCAL,
        "安居苑小区",
        "早6:00–11:00",
        [JobTag.OLDER, JobTag.NEAR_HOME],
        "",
        15,
    ),
    (
        "logistics-sorter",
        "物流分拣员",
        "县电商物流园",
        12,
        3500,
        5000,
        Place.LOCAL,
        "县城物流园",
        "白班或夜班",
        [JobTag.FLEXIBLE],
        "",
        25,
    ),
    (
        "tea-picker",
        "采茶工（季节性）",
        "云雾山茶叶合作社",
        40,
        None,
        None,
        Place.LOCAL,
        "云雾山茶园",
        "清明前后约20天",
        [JobTag.OLDER, JobTag.WOMEN],
        "",
        -3,
    ),
)

SKILLS = ("缝纫", "电焊", "驾驶（C1）", "家政", "普工", "厨师", "保洁", "搬运", "瓦工", "电工")


def _job_board(out) -> JobIndexPage:
    home = ensure_home_page()
    board = JobIndexPage.objects.child_of(home).first()
    if board is None:
        board = home.add_child(
            instance=JobIndexPage(
                title="招聘信息", slug="jobs", intro="家门口的工作和外出务工岗位，每天更新。"
            )
        )
        board.save_revision().publish()
    today = timezone.localdate()
    existing = set(JobPostingPage.objects.child_of(board).values_list("slug", flat=True))
    added = 0
    for spec in POSTINGS:
        (
            slug,
            title,
            employer,
            openings,
            pay_min,
            pay_max,
            place,
            where,
            hours,
            tags,
            drive,
            days,
        ) = spec
        if slug in existing:
            continue
        posting = board.add_child(
            instance=JobPostingPage(
                title=title,
                slug=slug,
                employer=employer,
                openings=openings,
                pay_min=pay_min,
                pay_max=pay_max,
                place=place,
                place_detail=where,
                working_hours=hours,
                requirements="身体健康，能吃苦耐劳。"
                + ("女性优先，年龄18–55岁。" if JobTag.WOMEN in tags else ""),
                benefits="包吃住，购买社保。"
                if JobTag.BOARD in tags
                else "按月发放工资，购买工伤保险。",
                contact="社区就业服务站 0851-2345678（陈老师）",
                closing_date=today + datetime.timedelta(days=days),
                tags=[str(t) for t in tags],
                drive=f"{drive}（县妇联、社区就业服务站联合举办）" if drive else "",
            )
        )
        posting.save_revision().publish()
        added += 1
    out.append(f"employment: job board with {len(POSTINGS)} postings ({added} new)")
    return board


def _working_age(community):
    today = timezone.localdate()
    return Resident.objects.filter(
        community=community,
        birth_date__gte=today.replace(year=today.year - 58),
        birth_date__lte=today.replace(year=today.year - 18),
    ).order_by("pk")


def _seekers(rng, out, community) -> None:
    if JobSeeker.objects.filter(resident__community=community).exists():
        return
    candidates = list(
        _working_age(community).exclude(groups__code=SpecialGroup.MIGRANT_WORKER)[:400]
    )
    chosen = rng.sample(candidates, min(14, len(candidates)))
    placed = JobPostingPage.objects.filter(slug="sewing-worker").first()
    for index, resident in enumerate(chosen):
        women = resident.gender == Resident.Gender.FEMALE
        JobSeeker.objects.create(
            resident=resident,
            skills="、".join(rng.sample(SKILLS, 2)),
            wished_place=rng.choice(WishedPlace.values),
            min_pay=rng.choice([None, 2500, 3000, 4000, 5000]),
            tags=[JobTag.WOMEN.value] if women and rng.random() < 0.5 else [],
            status=JobSeeker.Status.PLACED if index < 3 else JobSeeker.Status.LOOKING,
            placed_with=placed if index < 3 else None,
        )
    out.append(f"employment: {len(chosen)} job seekers")


def _migrant_work(rng, out, community) -> list[MigrantWork]:
    existing = list(
        MigrantWork.objects.filter(resident__community=community).select_related(
            "resident__household__building__grid"
        )
    )
    if existing:
        return existing
    workers = list(
        Resident.objects.filter(community=community, groups__code=SpecialGroup.MIGRANT_WORKER)
        .order_by("pk")
        .distinct()[:40]
    )
    places = (
        ("浙江省宁波市", "宁波华瑞电子有限公司", "普工"),
        ("江苏省苏州市", "苏州建工集团", "钢筋工"),
        ("广东省东莞市", "东莞新力鞋业", "车间工人"),
        ("福建省厦门市", "厦门海港物流", "装卸工"),
    )
    today = timezone.localdate()
    records = []
    for resident in workers:
        place, employer, job = rng.choice(places)
        records.append(
            MigrantWork(
                resident=resident,
                place=place,
                employer=employer,
                job=job,
                since=today - datetime.timedelta(days=rng.randint(200, 1200)),
            )
        )
    MigrantWork.objects.bulk_create(records)
    out.append(f"employment: {len(records)} migrant-work records")
    return list(
        MigrantWork.objects.filter(resident__community=community).select_related(
            "resident__household__building__grid"
        )
    )


def _course(rng, out, community, staff) -> None:
    today = timezone.localdate()
    course, created = Course.objects.get_or_create(
        title="家政服务员技能培训班",
        defaults={
            "community": community,
            "organiser": "县人力资源和社会保障局",
            "description": "免费培训，结业后发放培训合格证，并推荐就业。",
            "place": "社区服务中心二楼培训室",
            "schedule": "每周二、四 下午2:30–5:00",
            "starts_on": today + datetime.timedelta(days=7),
            "ends_on": today + datetime.timedelta(days=35),
            "capacity": 12,
            "min_attendance": 3,
        },
    )
    if not created:
        return
    for week in range(4):
        CourseSession.objects.create(
            course=course,
            date=course.starts_on + datetime.timedelta(days=7 * week),
            topic=["家庭保洁", "母婴护理", "老人照护", "烹饪与营养"][week],
        )
    women = list(_working_age(community).filter(gender=Resident.Gender.FEMALE).order_by("pk")[:200])
    for resident in rng.sample(women, min(14, len(women))):
        training.enrol(course, resident, by=staff)
    out.append("employment: 1 course, 12 enrolled and 2 waiting")


def _applications(rng, out, community, records, grid_worker) -> None:
    schemes = ensure_subsidy_schemes(community)
    if applications_exist():
        return
    if grid_worker is None:
        return
    mine = [r for r in records if r.resident.household.building.grid.number == 1][:4] or records[:4]
    for index, record in enumerate(mine):
        resident = record.resident
        scheme = schemes["job_retention" if index % 2 == 0 else "travel"]
        service = scheme.service
        answers = {
            "id_number": resident.id_number,
            "employer": record.employer,
            "work_place": record.place,
            "work_start": record.since.isoformat(),
            "months_away": "8",
            "travel_date": (record.since - datetime.timedelta(days=2)).isoformat(),
        }
        form = build_form_class(service.current_version.fields, grid_worker)(answers)
        if not form.is_valid():
            continue
        submit(
            service,
            form,
            requester=Requester(name=resident.name, phone=resident.phone or "13800000000"),
            household=resident.household,
            filed_by=grid_worker,
            community=community,
        )
    out.append(f"employment: {len(mine)} subsidy applications filed on behalf")


def applications_exist() -> bool:
    from anju.services import Case

    return Case.objects.filter(service__subsidy_scheme__isnull=False).exists()


def load_demo(rng, out, ctx):
    community = Community.objects.filter(code="anjuyuan").first() or Community.objects.first()
    _job_board(out)
    if community is None:
        return
    _seekers(rng, out, community)
    records = _migrant_work(rng, out, community)
    _course(rng, out, community, ctx.get("fuwu"))
    _applications(rng, out, community, records, ctx.get("wanggeyuan1"))


__all__ = ["load_demo", "applications"]
