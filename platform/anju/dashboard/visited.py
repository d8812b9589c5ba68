"""Households visited per past month and grid, kept long in the cache: the trend chart's
costliest series (every visit of six months hashed by month and household) changes for
a past month only when a visit dated in it is written.

Each past month's counts are kept per community (``{grid id: households visited}``,
the whole community's grids, whoever asked first) for ``DASHBOARD_MONTHS_CACHE_SECONDS``
(a day; 0 turns it off) under a key that carries two generation numbers:

- the month's, moved by a visit saved or deleted with a date in that month (a visit
  moved to another date moves both months);
- the register's, moved by anything that may re-home past visits: a building moved to
  another grid or a grid to another community (any update of either), a household moved
  to another building, a visit whose former date or household is not known.

Households are in one grid each, so a user's months are the sum over the grids they
see. This month (and any month not yet over) is always counted live — by the visit
coverage tile when the board has it. Writes that send no signal — ``bulk_create`` of
visits (``generate_county``, the demo), ``QuerySet.update``/``delete`` of visits,
households or buildings — must call ``forget()`` (both commands do); otherwise they
show when the entry expires.
"""

from __future__ import annotations

import datetime
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.db.models.functions import TruncMonth
from django.db.models.signals import post_delete, post_init, post_save

logger = logging.getLogger("anju.dashboard")

PREFIX = "anju:dashboard:visited"
REGISTER_KEY = f"{PREFIX}-gen"


def seconds() -> int:
    return int(getattr(settings, "DASHBOARD_MONTHS_CACHE_SECONDS", 86400))


def _month_key(month: datetime.date) -> str:
    return f"{PREFIX}-gen:{month:%Y-%m}"


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not there (or evicted): a fresh start never reuses an old number
        cache.add(key, time.time_ns(), timeout=None)
    except Exception:  # the cache is down: never fail the write for it
        logger.warning("Could not move the visits' cache generation", exc_info=True)


def forget(month: datetime.date | None = None) -> None:
    """Drop the kept counts of ``month``'s month, or of every month."""
    _bump(_month_key(month.replace(day=1)) if month else REGISTER_KEY)


def _generations(months: list[datetime.date]) -> dict:
    keys = [REGISTER_KEY] + [_month_key(m) for m in months]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, time.time_ns(), timeout=None)
            found[key] = cache.get(key)
    return found


def past_months(grid_ids, communities, months: list[datetime.date]) -> dict:
    """``{month: households visited}`` over ``grid_ids`` (of ``communities``) for the
    given past months: from the cache, the missing ones counted in one statement."""
    if not months or not communities:
        return {}
    keep = seconds()
    keys = {}
    if keep > 0:
        try:
            gens = _generations(months)
            register = gens[REGISTER_KEY]
            keys = {
                (m, c): f"{PREFIX}:{register}:{gens[_month_key(m)]}:{m:%Y-%m}:{c}"
                for m in months
                for c in communities
            }
            found = cache.get_many(list(keys.values()))
        except Exception:  # the cache is down: count afresh
            logger.warning("Visits' cache unavailable", exc_info=True)
            keys, found = {}, {}
    else:
        found = {}
    per = {pair: found.get(key) for pair, key in keys.items()}
    missing = sorted({m for (m, _c), v in per.items() if v is None}) if keys else months
    if missing:
        missing_communities = (
            sorted({c for (m, c), v in per.items() if v is None}) if keys else communities
        )
        counted = count(missing_communities, missing)
        for m in missing:
            for c in missing_communities:
                per[(m, c)] = counted.get((m, c), {})
        if keys:
            try:
                cache.set_many(
                    {keys[(m, c)]: per[(m, c)] for m in missing for c in missing_communities},
                    timeout=keep,
                )
            except Exception:
                logger.warning("Visits' cache unavailable", exc_info=True)
    ids = set(grid_ids)
    return {
        m: sum(n for c in communities for g, n in (per.get((m, c)) or {}).items() if g in ids)
        for m in months
    }


def count(communities, months: list[datetime.date]) -> dict:
    """``{(month, community id): {grid id: households visited}}`` for every grid of
    ``communities``, over the months ``months[0]``..``months[-1]``: one statement. The
    (month, household) pairs are made distinct first (a hash), then counted per grid."""
    from anju.community.models import Visit

    from .board import month_bounds

    first, last = months[0], month_bounds(months[-1])[1]
    pairs = (
        Visit.objects.filter(
            household__building__grid__community_id__in=communities,
            visited_on__range=(first, last),
        )
        .annotate(
            m=TruncMonth("visited_on"),
            h=F("household_id"),
            g=F("household__building__grid_id"),
            c=F("household__building__grid__community_id"),
        )
        .values("m", "h", "g", "c")
        .distinct()
        .order_by()
    )
    sql, params = pairs.query.sql_with_params()
    result: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT m, c, g, COUNT(*) FROM ({sql}) AS pairs GROUP BY m, c, g",  # noqa: S608
            params,
        )
        for m, community, grid, n in cursor.fetchall():
            if isinstance(m, str):  # SQLite: a raw cursor returns the month as text
                m = datetime.datetime.fromisoformat(m)
            m = m.date() if isinstance(m, datetime.datetime) else m
            result.setdefault((m.replace(day=1), community), {})[grid] = n
    return result


# -- invalidation ---------------------------------------------------------------------


def _remember(sender, instance, **kwargs) -> None:
    """What a row was loaded with (only fields loaded: never a query)."""
    values = instance.__dict__
    instance._anju_loaded = {
        name: values[name] for name in _TRACKED.get(sender, ()) if name in values
    }


def _as_month(value):
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.replace(day=1) if isinstance(value, datetime.date) else None


def _visit_written(sender, instance, created=False, **kwargs) -> None:
    loaded = getattr(instance, "_anju_loaded", {})
    months = {_as_month(instance.__dict__.get("visited_on"))}
    if not created and kwargs.get("signal") is post_save:
        if "visited_on" not in loaded or "household_id" not in loaded:
            return forget()
        months.add(_as_month(loaded["visited_on"]))
    if None in months:
        return forget()
    for month in months:
        forget(month)
    _remember(sender, instance)


def _moved(field):
    def receiver(sender, instance, created=False, **kwargs):
        if created:
            return
        loaded = getattr(instance, "_anju_loaded", {})
        if field not in loaded or loaded[field] != instance.__dict__.get(field):
            forget()
        _remember(sender, instance)

    return receiver


_TRACKED: dict = {}


def connect() -> None:
    from anju.community.models import Building, Grid, Household, Visit

    _TRACKED.update({Visit: ("visited_on", "household_id"), Household: ("building_id",)})
    for model in _TRACKED:
        post_init.connect(_remember, sender=model, dispatch_uid=f"anju-visited-init-{model}")
    post_save.connect(_visit_written, sender=Visit, dispatch_uid="anju-visited-save")
    post_delete.connect(_visit_written, sender=Visit, dispatch_uid="anju-visited-delete")
    post_save.connect(
        _moved("building_id"), sender=Household, dispatch_uid="anju-visited-household", weak=False
    )
    # Buildings and grids: any update (rare) may move a grid's visits.
    for model in (Building, Grid):
        post_save.connect(
            lambda sender, created=False, **kw: None if created else forget(),
            sender=model,
            dispatch_uid=f"anju-visited-{model._meta.model_name}",
            weak=False,
        )
