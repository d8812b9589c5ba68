"""The core's own dashboard tiles. Each ``counts`` function follows the contract of
``anju.plugins.DashboardTile``: ``{grid id or None: {key: int}}`` for the month
``start``..``end``, over the records ``user`` may see, in one grouped query (notice
reach: one more, for the month's notices).

- **Visit coverage** (走访覆盖率): households, and those visited at least once in the month.
- **Notice reach** (入户传达): for each "must reach every household" notice first
  published in the month, the targeted households and those reached (recorded at any
  time since), summed over the notices.
- **Cases** (办件): filed in the month; open (filed by the month's end and not yet dealt
  with) and, of those, overdue now (``anju.services`` overdue rule); resolved in the
  month, and of those resolved without leaving the grid — the in-grid resolution rate,
  "small matters stay in the grid" (小事不出网格). A case that was escalated keeps the
  community level, so "never escalated" is ``level == grid``.
  Counted over every case the user may see (``visible_cases``): service staff see the
  cases of the services they run, whatever their grid.
- **Campaigns** (专项走访): targets of the rounds running in the month, settled (done,
  refused, moved out) and overdue (still owed in an open round past its due date), over
  the targets the user may see (``visible_targets``: service staff, their campaigns').
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anju.campaigns.models import DUE_OUTCOMES, Outcome, Round
from anju.campaigns.visibility import visible_targets
from anju.community.models import Household, Visit
from anju.notices.models import NoticeDelivery, NoticePage
from anju.plugins.registry import DashboardTile, TileFigure
from anju.services.models import DONE_STATUSES, OPEN_STATUSES, Level
from anju.services.visibility import visible_cases


def local_bounds(start: datetime.date, end: datetime.date):
    """[start 00:00, the day after end 00:00) in the site's time zone."""
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    )


def grouped(rows, key: str) -> dict:
    """``{row[key]: the row's other values}`` of a ``values(key).annotate(...)`` result."""
    result = {}
    for row in rows:
        grid = row.pop(key)
        result[grid] = row
    return result


def visit_counts(user, grids, start, end) -> dict:
    # ``IN (the month's visits)``, not a correlated EXISTS: PostgreSQL hashes the month's
    # visited households once instead of probing the visits for every household.
    visited = Visit.objects.filter(visited_on__range=(start, end)).values("household_id")
    rows = (
        Household.objects.filter(building__grid__in=grids)
        .values("building__grid_id")
        .annotate(households=Count("pk"), visited=Count("pk", filter=Q(pk__in=visited)))
        .order_by()
    )
    return grouped(rows, "building__grid_id")


def month_notices(start, end):
    """Live "must reach every household" notices first published in the month."""
    since, until = local_bounds(start, end)
    return NoticePage.objects.live().filter(
        must_reach_every_household=True,
        first_published_at__gte=since,
        first_published_at__lt=until,
    )


def notice_counts(user, grids, start, end) -> dict:
    # url_path: which site, so which community, each notice is for (no query).
    notices = list(month_notices(start, end).only("pk", "audience", "url_path"))
    if not notices:
        return {}
    _since, until = local_bounds(start, end)
    parts = []
    for notice in notices:
        reached = NoticeDelivery.objects.filter(notice_id=notice.pk)
        if until <= timezone.now():  # a past month: reached by its end
            reached = reached.filter(reached_at__lt=until)
        reached = reached.values("household_id")  # hashed once, as in visit_counts
        parts.append(
            notice.targeted_households()
            .filter(building__grid__in=grids)
            .values("building__grid_id")
            .annotate(targeted=Count("pk"), reached=Count("pk", filter=Q(pk__in=reached)))
            .order_by()
        )
    # One statement for every notice of the month: UNION ALL of one grouped count each.
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    result: dict = {}
    for row in union:
        counts = result.setdefault(row["building__grid_id"], {"targeted": 0, "reached": 0})
        counts["targeted"] += row["targeted"]
        counts["reached"] += row["reached"]
    return result


def status_at(until):
    """A Case expression: the case's status at ``until``. A case not changed since
    (``updated_at`` before ``until``) still has it; one changed since has the last status
    its timeline recorded before ``until`` (submitted if none). For this month's board
    ``until`` lies ahead, so this is the status column itself."""
    from django.db.models import Case as When_
    from django.db.models import CharField, F, OuterRef, Subquery, Value, When
    from django.db.models.functions import Coalesce

    from anju.services.models import CaseEvent, Status

    if until > timezone.now():
        return F("status")
    last = (
        CaseEvent.objects.filter(case=OuterRef("pk"), created_at__lt=until)
        .exclude(to_status="")
        .order_by("-created_at", "-pk")
        .values("to_status")[:1]
    )
    return When_(
        When(updated_at__lt=until, then=F("status")),
        default=Coalesce(Subquery(last), Value(Status.SUBMITTED)),
        output_field=CharField(),
    )


def case_counts(user, grids, start, end) -> dict:
    """As of the month's end for a past month: open means open at the month's end (by
    the case's timeline) and overdue means past its deadline then."""
    from anju.services.models import Status

    since, until = local_bounds(start, end)
    now = timezone.now()
    at = min(now, until)
    open_ = Q(created_at__lt=until, status_then__in=OPEN_STATUSES)
    overdue = Q(status_then=Status.SUBMITTED, accept_due__lt=at) | Q(resolve_due__lt=at)
    resolved = Q(status__in=DONE_STATUSES, resolved_at__gte=since, resolved_at__lt=until)
    rows = (
        in_board(visible_cases(user), grids)
        .filter(Q(created_at__lt=until) & ~Q(status__in=DONE_STATUSES, resolved_at__lt=since))
        .alias(status_then=status_at(until))
        .values("grid_id")
        .annotate(
            filed=Count("pk", filter=Q(created_at__gte=since, created_at__lt=until)),
            open=Count("pk", filter=open_),
            overdue=Count("pk", filter=open_ & overdue),
            resolved=Count("pk", filter=resolved),
            resolved_in_grid=Count("pk", filter=resolved & Q(level=Level.GRID)),
        )
        .order_by()
    )
    return grouped(rows, "grid_id")


def in_board(cases, grids):
    """Cases of the board's grids, and those of no grid in the board's communities; when
    the board has no grids (service staff), every case the user may see."""
    return cases.filter(
        Q(grid__in=grids)
        | Q(grid__isnull=True, community__in=grids.values("community_id"))
        | ~Exists(grids)
    )


SETTLED_OUTCOMES = (Outcome.DONE, Outcome.REFUSED, Outcome.MOVED_OUT)


def campaign_counts(user, grids, start, end) -> dict:
    """As of the month's end for a past month: settled means answered so by then, and
    overdue means owed then in a round open then and past its due date."""
    today = timezone.localdate()
    since, until = local_bounds(start, end)
    day = min(today, end + datetime.timedelta(days=1))  # overdue: due before this day
    running = Q(round__starts_on__lte=end) & (
        Q(round__status=Round.Status.OPEN) | Q(round__closed_at__gte=since)
    )
    settled = Q(outcome__in=SETTLED_OUTCOMES)
    owed = Q(outcome__in=DUE_OUTCOMES)
    open_then = Q(round__status=Round.Status.OPEN)
    if until <= timezone.now():  # a past month: what was answered after it was not yet
        settled &= Q(answered_at__lt=until)
        owed |= Q(answered_at__gte=until)
        open_then |= Q(round__closed_at__gte=until)
    rows = (
        visible_targets(user)
        .filter(running, active=True)
        .filter(
            Q(grid__in=grids)
            | Q(grid__isnull=True, round__campaign__community__in=grids.values("community_id"))
            | ~Exists(grids)
        )
        .values("grid_id")
        .annotate(
            targets=Count("pk"),
            settled=Count("pk", filter=settled),
            overdue=Count("pk", filter=owed & open_then & Q(round__due_on__lt=day)),
        )
        .order_by()
    )
    return grouped(rows, "grid_id")


CORE_TILES = (
    DashboardTile(
        code="core.visits",
        label=_("Visit coverage"),
        figures=(
            TileFigure("coverage", _("Coverage"), rate=("visited", "households")),
            TileFigure("visited", _("Households visited")),
            TileFigure("households", _("Households")),
        ),
        counts=visit_counts,
        permission="community.view_visit",
        order=10,
        url_name="anju_visit_coverage",
    ),
    DashboardTile(
        code="core.notices",
        label=_("Notice reach"),
        figures=(
            TileFigure("reach", _("Reach"), rate=("reached", "targeted")),
            TileFigure("reached", _("Households reached")),
            TileFigure("targeted", _("Households to reach")),
        ),
        counts=notice_counts,
        permission="notices.view_noticedelivery",
        order=20,
    ),
    DashboardTile(
        code="core.cases",
        label=_("Cases"),
        figures=(
            TileFigure(
                "in_grid_rate", _("Resolved in the grid"), rate=("resolved_in_grid", "resolved")
            ),
            TileFigure("filed", _("Filed")),
            TileFigure("open", _("Open")),
            TileFigure("overdue", _("Overdue")),
            TileFigure("resolved", _("Resolved")),
            TileFigure("resolved_in_grid", _("Resolved without escalation")),
        ),
        counts=case_counts,
        permission="services.view_case",
        order=30,
    ),
    DashboardTile(
        code="core.campaigns",
        label=_("Campaign progress"),
        figures=(
            TileFigure("progress", _("Share settled"), rate=("settled", "targets")),
            TileFigure("settled", _("Targets settled")),
            TileFigure("targets", _("Targets")),
            TileFigure("overdue", _("Overdue")),
        ),
        counts=campaign_counts,
        permission="campaigns.view_target",
        order=40,
    ),
)
