"""The Anjuyuan (安居苑) community: 5 grids, 870 households, 2,453 residents, the grid
teams and three months of visits. Plausible, deterministic, and loaded with bulk inserts
so the whole demo takes seconds on SQLite."""

import datetime
import random

from django.utils import timezone

from anju.community.idnumbers import make_id_number
from anju.community.models import (
    Building,
    Community,
    Grid,
    GridTeamMember,
    Household,
    Resident,
    SpecialGroup,
    TeamRole,
    Visit,
    id_number_digest,
    phone_digest,
)

CODE = "anjuyuan"
NAME = "安居苑社区"
GRIDS = 5
HOUSEHOLDS = 870
RESIDENTS = 2453
AREA_CODE = "411421"  # the county's area code inside every resident's ID number
UNITS, FLOORS, ROOMS_PER_FLOOR = 2, 6, 2  # a six-storey resettlement block: 24 flats

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
MALE = "伟强磊军勇杰涛明超刚平辉建国志华文斌海鹏飞俊峰德林成福顺宝山"
FEMALE = "芳娜敏静丽艳娟霞秀英兰玲桂红梅凤琴云莲珍燕萍慧淑华春"
GRID_NAMES = ["第一网格", "第二网格", "第三网格", "第四网格", "第五网格"]

BASIC = [
    "家中情况稳定，身体状况良好。",
    "老人行动不便，子女在外务工。",
    "一家人生活规律，收入稳定。",
    "新搬入安置房，正在适应社区生活。",
]
FAMILY = ["", "", "孩子放学后无人照看。", "老人与儿媳偶有口角。", "家中有人长期生病。"]
NEEDS = [
    "",
    "",
    "希望办理低保。",
    "想找一份离家近的工作。",
    "需要申请交通补贴。",
    "卫生间漏水影响楼下。",
    "希望给老人订午餐。",
]
SUGGESTIONS = ["", "", "建议增加健身器材。", "希望多开展技能培训。", "楼道灯坏了，请维修。"]


def _name(rng: random.Random, surname: str, gender: str) -> str:
    pool = MALE if gender == "M" else FEMALE
    return surname + "".join(rng.choice(pool) for _ in range(rng.choice((1, 2, 2))))


def _birth(rng: random.Random, today: datetime.date, age_from: int, age_to: int):
    age = rng.randint(age_from, age_to)
    return today.replace(year=today.year - age) - datetime.timedelta(days=rng.randint(1, 364))


def _household_sizes(rng: random.Random) -> list[int]:
    sizes = rng.choices([1, 2, 3, 4, 5, 6], weights=[12, 30, 25, 20, 9, 4], k=HOUSEHOLDS)
    # Nudge to the community's real head count, one person at a time.
    while (diff := RESIDENTS - sum(sizes)) != 0:
        i = rng.randrange(HOUSEHOLDS)
        if diff > 0 and sizes[i] < 7:
            sizes[i] += 1
        elif diff < 0 and sizes[i] > 1:
            sizes[i] -= 1
    return sizes


def load_community(rng: random.Random, out: list[str], staff: dict[str, object]) -> None:
    community, _ = Community.objects.get_or_create(
        code=CODE, defaults={"name": NAME, "address": "安居大道 1 号"}
    )
    groups = {
        code: SpecialGroup.objects.get_or_create(
            code=code,
            defaults={"name": name, "built_in": True, "sensitive": code == "low_income"},
        )[0]
        for code, name in SpecialGroup.BUILT_IN.items()
    }
    grids = []
    for number, grid_name in enumerate(GRID_NAMES, start=1):
        grid, _ = Grid.objects.get_or_create(
            community=community, number=number, defaults={"name": grid_name}
        )
        grids.append(grid)
    _teams(grids, staff)
    if Household.objects.filter(building__grid__community=community).exists():
        out.append("community: already loaded")
        return
    today = timezone.localdate()
    per_grid = HOUSEHOLDS // GRIDS
    households: list[Household] = []
    building_number = 0
    for grid in grids:
        addresses = []
        while len(addresses) < per_grid:
            building_number += 1
            building = Building.objects.create(
                grid=grid, name=f"{building_number}号楼", sort_order=building_number
            )
            for unit in range(1, UNITS + 1):
                for floor in range(1, FLOORS + 1):
                    for room in range(1, ROOMS_PER_FLOOR + 1):
                        addresses.append((building, f"{unit}单元", f"{floor}0{room}"))
        for building, unit, room in addresses[:per_grid]:
            households.append(Household(building=building, unit=unit, room=room))
    Household.objects.bulk_create(households)
    households = list(Household.objects.filter(building__grid__community=community).order_by("pk"))

    sizes = _household_sizes(rng)
    residents: list[Resident] = []
    tags: list[tuple[int, str]] = []  # (index into residents, group code)
    sequences: dict[datetime.date, int] = {}

    def add(household, name, gender, born, relation, phone=True):
        seq = sequences.get(born, rng.randrange(0, 400)) + 1
        seq += (seq % 2 == 0) == (gender == "M")  # odd for men, even for women
        sequences[born] = seq
        id_number = make_id_number(AREA_CODE, born, seq)
        phone_number = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}" if phone else ""
        residents.append(
            Resident(
                household=household,
                community=community,
                name=name,
                gender=gender,
                birth_date=born,
                id_number=id_number,
                id_number_digest=id_number_digest(id_number),
                phone=phone_number,
                phone_digest=phone_digest(phone_number),
                relation=relation,
            )
        )
        return len(residents) - 1

    head_index: list[int] = []
    for household, size in zip(households, sizes, strict=True):
        surname = rng.choice(SURNAMES)
        alone = size == 1
        head_gender = rng.choice("MF") if alone else "M" if rng.random() < 0.8 else "F"
        head_born = (
            _birth(rng, today, 62, 88)
            if alone and rng.random() < 0.7
            else _birth(rng, today, 28, 80)
        )
        head = add(household, _name(rng, surname, head_gender), head_gender, head_born, "head")
        head_index.append(head)
        head_age = today.year - head_born.year
        migrant_parent = False
        if alone:
            tags.append((head, SpecialGroup.LIVING_ALONE))
            if head_age >= 70 and rng.random() < 0.08:
                tags.append((head, SpecialGroup.FIVE_GUARANTEE))
        members = size - 1
        if members:
            spouse_gender = "F" if head_gender == "M" else "M"
            spouse_born = _birth(rng, today, max(22, head_age - 6), head_age + 3)
            add(
                household,
                _name(rng, rng.choice(SURNAMES), spouse_gender),
                spouse_gender,
                spouse_born,
                "spouse",
            )
            members -= 1
        for _child in range(members):
            if head_age > 55 and rng.random() < 0.5:
                born, relation = _birth(rng, today, 3, 16), "grandchild"
            else:
                born, relation = _birth(rng, today, 1, max(1, head_age - 22)), "child"
            gender = rng.choice("MF")
            child_age = today.year - born.year
            index = add(
                household,
                _name(rng, surname, gender),
                gender,
                born,
                relation,
                phone=child_age >= 16,
            )
            if 18 <= child_age <= 55 and rng.random() < 0.55:
                tags.append((index, SpecialGroup.MIGRANT_WORKER))
                migrant_parent = True
        if 25 <= head_age <= 55 and rng.random() < 0.4:
            tags.append((head, SpecialGroup.MIGRANT_WORKER))
            migrant_parent = True
        if migrant_parent:
            for index in range(head, len(residents)):
                if today.year - residents[index].birth_date.year < 16:
                    tags.append((index, SpecialGroup.MIGRANT_CHILD))
        if rng.random() < 0.05:
            tags.append((head, SpecialGroup.LOW_INCOME))
        for index in range(head, len(residents)):
            if rng.random() < 0.025:
                tags.append((index, SpecialGroup.DISABLED))

    Resident.objects.bulk_create(residents, batch_size=500)
    saved = list(Resident.objects.filter(community=community).order_by("pk").only("pk"))
    Through = Resident.groups.through
    Through.objects.bulk_create(
        [Through(resident_id=saved[i].pk, specialgroup_id=groups[code].pk) for i, code in tags],
        ignore_conflicts=True,
    )
    for household, index in zip(households, head_index, strict=True):
        household.head_id = saved[index].pk
    Household.objects.bulk_update(households, ["head"], batch_size=500)

    visits = _visits(rng, today, grids, households, staff)
    out.append(
        f"community: {len(grids)} grids, {len(households)} households, "
        f"{len(residents)} residents, {visits} visits"
    )


def _teams(grids: list[Grid], staff: dict[str, object]) -> None:
    committee = [
        staff["weiyuan"],
        staff["weiyuan"],
        staff["weiyuan2"],
        staff["weiyuan2"],
        staff["weiyuan3"],
    ]
    for i, grid in enumerate(grids, start=1):
        for role, user in (
            (TeamRole.COMMITTEE, committee[i - 1]),
            (TeamRole.GRID_WORKER, staff[f"wanggeyuan{i}"]),
            (TeamRole.RESIDENT_REP, staff[f"daibiao{i}"]),
        ):
            member = GridTeamMember.objects.filter(grid=grid, role=role).first()
            if member is None:
                GridTeamMember.objects.create(grid=grid, role=role, user=user)
            elif member.user_id != user.pk:
                member.user = user
                member.save()


def _visits(rng, today, grids, households, staff) -> int:
    worker_of = {grid.pk: staff[f"wanggeyuan{i}"] for i, grid in enumerate(grids, start=1)}
    grid_of_building = dict(Building.objects.values_list("pk", "grid_id"))
    visits = []
    start = today - datetime.timedelta(days=90)
    for household in households:
        worker = worker_of[grid_of_building[household.building_id]]
        day = start + datetime.timedelta(days=rng.randrange(0, 20))
        while day <= today:
            if rng.random() < 0.75:
                need = rng.choice(NEEDS)
                follow = bool(need) and rng.random() < 0.6
                due = day + datetime.timedelta(days=rng.choice((3, 7, 14))) if follow else None
                done = None
                if follow and due < today and rng.random() < 0.7:
                    done = timezone.make_aware(datetime.datetime.combine(due, datetime.time(10)))
                visits.append(
                    Visit(
                        household=household,
                        visited_on=day,
                        visitor=worker,
                        channel=rng.choices(list(Visit.Channel.values), weights=[70, 20, 10])[0],
                        basic_situation=rng.choice(BASIC),
                        family_matters=rng.choice(FAMILY),
                        difficulties=need,
                        suggestions=rng.choice(SUGGESTIONS),
                        follow_up_needed=follow,
                        follow_up_due=due,
                        follow_up_done_at=done,
                    )
                )
            day += datetime.timedelta(days=rng.randint(25, 35))
    Visit.objects.bulk_create(visits, batch_size=1000)
    from anju.dashboard import visited

    visited.forget()  # bulk inserts send no signal: drop the kept past months
    return len(visits)
