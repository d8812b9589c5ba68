"""A county's worth of data for benchmarks: townships, many communities spread over them,
their grids, buildings, households and residents (valid ID numbers, encrypted like any
other; each resident's township of household registration, 户籍地, mostly their own
community's township), a grid team per grid, the county's, each township's and each
township desk's staff account, the plugins the demo switches on enabled for every
community, visits and request cases (one in ten of a township desk's service, routed to
the desk) — in bulk inserts, so a county of 10 townships, 100 communities, 100,000
households, 300,000 residents, 1,000,000 visits and 100,000 cases takes a few minutes on
PostgreSQL. Not demo data to click through (``load_demo`` is): rows are plain, names
numbered. Refuses to run twice on one database.

    python manage.py generate_county                       # the full county
    python manage.py generate_county --communities 2 --households 100 --visits 500 --cases 50
"""

from __future__ import annotations

import datetime
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from anju.community.idnumbers import make_id_number
from anju.community.models import (
    Building,
    Community,
    Grid,
    GridTeamMember,
    Household,
    Resident,
    TeamRole,
    Township,
    Visit,
    id_number_digest,
    phone_digest,
)
from anju.permissions import roles
from anju.permissions.models import GridUserObjectPermission

PREFIX = "county-"
GRIDS_PER_COMMUNITY = 5
HOUSEHOLDS_PER_BUILDING = 40
AREA = "431126"  # 宁远县
#: One resident in this many is registered (户籍) in the next township, not their own.
REGISTERED_ELSEWHERE_EVERY = 10
#: One case in this many is of the township desk's service (routed to a desk).
DESK_CASE_EVERY = 10


class Command(BaseCommand):
    help = "Generate a county's worth of data for benchmarks (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--townships", type=int, default=None, help="default: 10, or one a community"
        )
        parser.add_argument("--communities", type=int, default=100)
        parser.add_argument("--households", type=int, default=100_000)
        parser.add_argument("--residents-per-household", type=int, default=3)
        parser.add_argument("--visits", type=int, default=1_000_000)
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--batch", type=int, default=5_000)

    def handle(self, *args, **options):
        if Community.objects.filter(code__startswith=PREFIX).exists():
            raise CommandError("This database already holds a generated county.")
        if options["communities"] < 1 or options["households"] < options["communities"]:
            raise CommandError("Give at least one community and one household for each.")
        if options["townships"] is None:
            options["townships"] = min(10, options["communities"])
        if not 0 <= options["townships"] <= options["communities"]:
            raise CommandError("Give between no township and one a community.")
        self.batch = options["batch"]
        started = time.perf_counter()
        self.townships = self._step("townships and their staff", self._townships, options)
        grids = self._step("communities, grids and grid teams", self._communities, options)
        self._step("plugins switched on", self._plugins)
        buildings = self._step("buildings and households", self._households, grids, options)
        self._step("residents", self._residents, buildings, options)
        self._step("visits", self._visits, grids, options)
        self._step("cases", self._cases, grids, options)
        self._step("planner statistics (VACUUM ANALYZE)", self._analyze)
        self.stdout.write(
            self.style.SUCCESS(f"County generated in {time.perf_counter() - started:.1f} s.")
        )

    def _step(self, label, fn, *args):
        started = time.perf_counter()
        result, count = fn(*args)
        seconds = time.perf_counter() - started
        self.stdout.write(f"  {label:<36} {count:>10,} rows {seconds:>8.1f} s")
        return result

    # --- the register -------------------------------------------------------------------

    @transaction.atomic
    def _townships(self, options):
        """The townships, a county staff account, and each township's staff and desk
        account (``county-xian``, ``county-t01-staff``, ``county-t01-desk``, ...)."""
        User = get_user_model()
        count = options["townships"]
        townships = Township.objects.bulk_create(
            [Township(name=f"第{n}镇", code=f"{PREFIX}t{n:02d}") for n in range(1, count + 1)]
        )
        roles.setup_roles()
        names = [(f"{PREFIX}xian", roles.COUNTY_STAFF, None)]
        for township in townships:
            names.append((f"{township.code}-staff", roles.TOWNSHIP_STAFF, township.staff))
            names.append((f"{township.code}-desk", roles.TOWNSHIP_DESK, township.desk_staff))
        users = User.objects.bulk_create(
            [
                User(username=name, is_staff=True, password=make_password(None))
                for name, _r, _l in names
            ]
        )
        for user, (_name, role, listed) in zip(users, names, strict=True):
            roles.group_for(role).user_set.add(user)
            if listed is not None:
                listed.add(user)
        return townships, len(townships) + len(users)

    @transaction.atomic
    def _communities(self, options):
        User = get_user_model()
        count = options["communities"]
        townships = self.townships
        # Communities spread over the townships in runs: 1–10 in the first, 11–20 in the
        # second, ... (with 100 communities and 10 townships).
        per_township = -(-count // len(townships)) if townships else 0
        communities = Community.objects.bulk_create(
            [
                Community(
                    name=f"第{n}社区",
                    code=f"{PREFIX}{n:03d}",
                    township=townships[(n - 1) // per_township] if townships else None,
                )
                for n in range(1, count + 1)
            ]
        )
        grids = Grid.objects.bulk_create(
            [
                Grid(community=community, number=g, name=f"第{g}网格")
                for community in communities
                for g in range(1, GRIDS_PER_COMMUNITY + 1)
            ]
        )
        users = User.objects.bulk_create(
            [
                User(username=f"{PREFIX}{grid.community.code[-3:]}-{grid.number}", is_staff=True)
                for grid in grids
            ]
        )
        for user in users:
            user.set_unusable_password()
        User.objects.bulk_update(users, ["password"])
        roles.group_for(roles.GRID_WORKER).user_set.add(*users)
        GridTeamMember.objects.bulk_create(
            [
                GridTeamMember(grid=grid, user=user, role=TeamRole.GRID_WORKER)
                for grid, user in zip(grids, users, strict=True)
            ]
        )
        # What the seats' signals would grant one by one (anju.permissions.grants).
        view_grid = Permission.objects.get(
            content_type__app_label="community", codename="view_grid"
        )
        GridUserObjectPermission.objects.bulk_create(
            [
                GridUserObjectPermission(content_object=grid, permission=view_grid, user=user)
                for grid, user in zip(grids, users, strict=True)
            ]
        )
        self.workers = {grid.pk: user.pk for grid, user in zip(grids, users, strict=True)}
        return grids, len(communities) + len(grids) + len(users)

    def _plugins(self):
        """Every installed plugin the demo switches on (each plugin's demo loader runs in
        ``load_demo``; all are enabled by default), enabled for every community as
        ``activation.enable`` would: one row each, in bulk, and each plugin's
        ``installed`` hook once a community."""
        from anju.core import localcache
        from anju.plugins.models import PluginActivation
        from anju.plugins.registry import installed_plugins

        plugins = {
            label: config for label, config in installed_plugins().items() if config.default_enabled
        }
        communities = list(Community.objects.filter(code__startswith=PREFIX).order_by("pk"))
        rows = PluginActivation.objects.bulk_create(
            [
                PluginActivation(community=community, plugin=label, enabled=True)
                for community in communities
                for label in plugins
            ],
            batch_size=self.batch,
        )
        for community in communities:
            for config in plugins.values():
                config.installed(community)
        localcache.bump()  # bulk inserts send no signal: what each process remembers
        return None, len(rows)

    def _households(self, grids, options):
        total = options["households"]
        per_grid = max(1, total // len(grids))
        buildings_per_grid = max(1, -(-per_grid // HOUSEHOLDS_PER_BUILDING))
        buildings = Building.objects.bulk_create(
            [
                Building(grid=grid, name=f"{b}号楼", sort_order=b)
                for grid in grids
                for b in range(1, buildings_per_grid + 1)
            ],
            batch_size=self.batch,
        )
        rows = []
        made = 0
        for index in range(total):
            building = buildings[index % len(buildings)]
            slot = index // len(buildings)
            rows.append(
                Household(
                    building=building,
                    unit=f"{1 + slot // 20}单元",
                    room=f"{1 + (slot % 20) // 4}0{1 + slot % 4}",
                )
            )
            if len(rows) == self.batch:
                Household.objects.bulk_create(rows)
                made += len(rows)
                rows = []
        Household.objects.bulk_create(rows)
        made += len(rows)
        return buildings, len(buildings) + made

    def _residents(self, buildings, options):
        per = options["residents_per_household"]
        community_of = dict(Building.objects.values_list("pk", "grid__community_id"))
        # 户籍地: the community's own township, one resident in ten the next one.
        township_of = dict(
            Community.objects.filter(code__startswith=PREFIX).values_list("pk", "township_id")
        )
        townships = [t.pk for t in self.townships]
        elsewhere = {pk: townships[(townships.index(pk) + 1) % len(townships)] for pk in townships}
        first = datetime.date(1930, 1, 1)
        made, rows = 0, []
        households = Household.objects.order_by("pk").values_list("pk", "building_id")
        for household_id, building_id in households.iterator(chunk_size=self.batch):
            for member in range(per):
                n = made + len(rows)
                born = first + datetime.timedelta(days=n % 30_000)
                id_number = make_id_number(AREA, born, n // 30_000)
                phone = f"139{n:08d}" if member == 0 else None
                community_id = community_of[building_id]
                hukou = township_of[community_id]
                if hukou is not None and n % REGISTERED_ELSEWHERE_EVERY == 0:
                    hukou = elsewhere[hukou]
                rows.append(
                    Resident(
                        household_id=household_id,
                        community_id=community_id,
                        hukou_township_id=hukou,
                        name=f"居民{n}",
                        gender="F" if n % 2 else "M",
                        birth_date=born,
                        id_number=id_number,
                        id_number_digest=id_number_digest(id_number),
                        phone=phone,
                        phone_digest=phone_digest(phone),
                        relation="head" if member == 0 else "other",
                    )
                )
            if len(rows) >= self.batch:
                Resident.objects.bulk_create(rows)
                made += len(rows)
                rows = []
        Resident.objects.bulk_create(rows)
        made += len(rows)
        return None, made

    def _analyze(self):
        """Fresh statistics and visibility maps, as autovacuum would leave them a while
        later: bulk inserts leave PostgreSQL's planner guessing, and every count read
        from the tables' heaps (an index-only scan needs the visibility map: a
        superuser's capped count of residents took 8 ms without, 1 ms with), and
        benchmarks must not measure that. VACUUM runs outside a transaction; inside
        one (a test's) statistics alone are gathered."""
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)" if not connection.in_atomic_block else "ANALYZE")
        return None, 0

    # --- the work -----------------------------------------------------------------------

    def _visits(self, grids, options):
        total = options["visits"]
        household_grid = list(
            Household.objects.order_by("pk").values_list("pk", "building__grid_id")
        )
        today = timezone.localdate()
        made, rows = 0, []
        for n in range(total):
            household_id, grid_id = household_grid[n % len(household_grid)]
            rows.append(
                Visit(
                    household_id=household_id,
                    visitor_id=self.workers[grid_id],
                    visited_on=today - datetime.timedelta(days=n % 365),
                    channel="in_person",
                    basic_situation="家中情况正常",
                )
            )
            if len(rows) == self.batch:
                Visit.objects.bulk_create(rows)
                made += len(rows)
                rows = []
        Visit.objects.bulk_create(rows)
        made += len(rows)
        from anju.dashboard import visited

        visited.forget()  # bulk inserts send no signal: drop the kept past months
        return None, made

    def _cases(self, grids, options):
        from anju.services.models import Case, HandlerRole, Service, ServiceField

        total = options["cases"]
        services = {}
        desk_service = None
        if self.townships:
            # The one-stop service station's: offered everywhere, handled at the desk of
            # the requester's township; its cases wait there, unassigned.
            desk_service = Service.objects.create(
                title="户籍证明", slug=f"{PREFIX}hukou-proof", handler_role=HandlerRole.TOWNSHIP
            )
            ServiceField.objects.create(service=desk_service, label="事项", field_type="text")
            desk_service = (desk_service, desk_service.snapshot())
        township_of = dict(
            Community.objects.filter(code__startswith=PREFIX).values_list("pk", "township_id")
        )
        for community in Community.objects.filter(code__startswith=PREFIX):
            service = Service.objects.create(
                title="报修", slug=f"repair-{community.code}", community=community
            )
            ServiceField.objects.create(service=service, label="什么坏了", field_type="text")
            services[community.pk] = (service, service.snapshot())
        household_grid = list(
            Household.objects.order_by("pk").values_list(
                "pk", "building__grid_id", "building__grid__community_id"
            )
        )
        now = timezone.now()
        hour = datetime.timedelta(hours=1)
        statuses = ["submitted", "accepted", "in_progress", "resolved", "closed"]
        made, rows = 0, []
        for n in range(total):
            household_id, grid_id, community_id = household_grid[n % len(household_grid)]
            at_desk = desk_service is not None and n % DESK_CASE_EVERY == 0
            service, version = desk_service if at_desk else services[community_id]
            status = statuses[n % len(statuses)]
            filed = now - (n % 2000) * hour
            rows.append(
                Case(
                    reference=str(20_000_000 + n),
                    service=service,
                    version=version,
                    community_id=community_id,
                    grid_id=grid_id,
                    household_id=household_id,
                    requester_name=f"居民{n}",
                    requester_phone=f"139{n:08d}",
                    phone_last4=f"{n:08d}"[-4:],
                    data={spec["name"]: "楼道灯不亮" for spec in version.fields},
                    status=status,
                    # A desk's case is routed to its township (the community's, as
                    # for a requester whose 户籍地 is not recorded) and waits unassigned.
                    township_id=township_of[community_id] if at_desk else None,
                    assignee_id=None if at_desk else self.workers[grid_id],
                    accept_due=filed + 24 * hour,
                    resolve_due=filed + 72 * hour,
                    resolved_at=filed + 48 * hour if status in ("resolved", "closed") else None,
                    closed_at=filed + 60 * hour if status == "closed" else None,
                    created_at=filed,
                )
            )
            if len(rows) == self.batch:
                Case.objects.bulk_create(rows)
                made += len(rows)
                rows = []
        Case.objects.bulk_create(rows)
        made += len(rows)
        return None, made
