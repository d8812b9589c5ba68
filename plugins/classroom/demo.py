"""What ``manage.py load_demo`` adds for the classroom: a winter term with three classes
(homework help, reading, art), volunteers and their hours, children from households
with members working away (from the register's special groups) with their guardians,
and two weeks of attendance. Idempotent: nothing is added if the term exists. Fast:
attendance and hours are bulk-inserted."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from anju.community import Community, Resident, SpecialGroup

from . import care
from .models import (
    Attendance,
    ClassGroup,
    Enrolment,
    Guardian,
    Kind,
    Term,
    Volunteer,
    VolunteerShift,
)

TERM = "2026年冬季学期"
VOLUNTEERS = (
    ("陈老师", True, "13985000101"),
    ("刘晓燕", False, "13985000102"),
    ("杨志强", False, "13985000103"),
    ("周婷", False, "13985000104"),
)
# (kind, title, weekdays, start, end, room, capacity, volunteer index)
CLASSES = (
    (Kind.HOMEWORK, "作业辅导班", "1,2,3,4,5", (16, 0), (18, 0), "党群服务中心二楼", 16, 0),
    (Kind.READING, "快乐阅读", "1,3,5", (16, 30), (17, 30), "社区图书室", 10, 1),
    (Kind.ART, "七彩美术", "2,4", (16, 30), (18, 0), "活动室", 10, 2),
)


def _relation(resident) -> str:
    if resident.gender == "F":
        return Guardian.Relation.GRANDMOTHER if resident.age >= 50 else Guardian.Relation.MOTHER
    return Guardian.Relation.GRANDFATHER if resident.age >= 50 else Guardian.Relation.FATHER


def load_demo(rng, out, ctx):
    community = Community.objects.filter(code="anjuyuan").first() or Community.objects.first()
    if community is None or Term.objects.filter(community=community, name=TERM).exists():
        return
    today = timezone.localdate()
    term = Term.objects.create(
        community=community,
        name=TERM,
        starts_on=today - datetime.timedelta(days=14),
        ends_on=today + datetime.timedelta(days=60),
    )
    volunteers = [
        Volunteer.objects.create(community=community, name=name, is_teacher=teacher, phone=phone)
        for name, teacher, phone in VOLUNTEERS
    ]
    classes = [
        ClassGroup.objects.create(
            term=term,
            kind=kind,
            title=title,
            weekdays=days,
            starts_at=datetime.time(*start),
            ends_at=datetime.time(*end),
            room=room,
            capacity=capacity,
            in_charge=volunteers[who],
        )
        for kind, title, days, start, end, room, capacity, who in CLASSES
    ]
    low, high = care.plugin_settings()["min_age"], care.plugin_settings()["max_age"]
    born_after = today.replace(year=today.year - high - 1)
    born_before = today.replace(year=today.year - max(low, 6))
    children = list(
        Resident.objects.filter(
            community=community,
            groups__code=SpecialGroup.MIGRANT_CHILD,
            birth_date__gt=born_after,
            birth_date__lte=born_before,
        )
        .select_related("household")
        .order_by("pk")[:24]
    )
    households = {child.household_id for child in children}
    adults: dict[int, list] = {}
    for member in (
        Resident.objects.filter(household_id__in=households)
        .exclude(pk__in=[c.pk for c in children])
        .prefetch_related("groups")
        .order_by("pk")
    ):
        if member.age >= 18:
            adults.setdefault(member.household_id, []).append(member)
    enrolments = []
    for index, child in enumerate(children):
        members = adults.get(child.household_id, [])
        away = [
            m for m in members if any(g.code == SpecialGroup.MIGRANT_WORKER for g in m.groups.all())
        ]
        home = [m for m in members if m not in away] or members[:1]
        carer = home[0] if home else None
        phone = carer.phone if carer and carer.phone else f"1398500{2000 + index:04d}"
        Guardian.objects.create(
            child=child,
            name=carer.name if carer else f"{child.name[0]}奶奶",
            relation=_relation(carer) if carer else Guardian.Relation.GRANDMOTHER,
            phone=phone,
        )
        for parent in away[:1]:
            Guardian.objects.create(
                child=child,
                name=parent.name,
                relation=Guardian.Relation.MOTHER
                if parent.gender == "F"
                else Guardian.Relation.FATHER,
                phone=parent.phone or f"1398500{3000 + index:04d}",
                may_pick_up=False,
                works_away=True,
            )
        klass = classes[index % len(classes)]
        consent = carer.name if carer else child.name
        enrolment = care.enrol(klass, child, consent_by=consent, by=ctx.get("fuwu"))
        enrolments.append(enrolment)
    # Two weeks of attendance: most children come on most of their class days.
    pickers = {g.child_id: g for g in Guardian.objects.filter(child__in=children, may_pick_up=True)}
    rows, shifts = [], []
    tz = timezone.get_current_timezone()
    for offset in range(14, 0, -1):
        day = today - datetime.timedelta(days=offset)
        for klass in classes:
            if not klass.meets_on(day):
                continue
            shifts.append(
                VolunteerShift(
                    volunteer=klass.in_charge,
                    klass=klass,
                    day=day,
                    hours=Decimal(
                        str(
                            round(
                                (
                                    klass.ends_at.hour * 60
                                    + klass.ends_at.minute
                                    - klass.starts_at.hour * 60
                                    - klass.starts_at.minute
                                )
                                / 60,
                                1,
                            )
                        )
                    ),
                )
            )
            for enrolment in enrolments:
                if enrolment.klass_id != klass.pk or enrolment.status != Enrolment.Status.ENROLLED:
                    continue
                if rng.random() < 0.1:
                    continue
                start = datetime.datetime.combine(day, klass.starts_at, tzinfo=tz)
                arrived = start + datetime.timedelta(minutes=rng.randint(-10, 12))
                left = datetime.datetime.combine(
                    day, klass.ends_at, tzinfo=tz
                ) + datetime.timedelta(minutes=rng.randint(0, 25))
                rows.append(
                    Attendance(
                        enrolment=enrolment,
                        day=day,
                        checked_in_at=arrived,
                        checked_out_at=left,
                        picked_up_by=pickers.get(enrolment.child_id),
                    )
                )
    Attendance.objects.bulk_create(rows, ignore_conflicts=True)
    VolunteerShift.objects.bulk_create(shifts)
    out.append(
        f"classroom: 1 term, {len(classes)} classes, {len(enrolments)} children, "
        f"{len(rows)} attendances"
    )
