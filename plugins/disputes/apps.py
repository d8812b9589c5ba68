from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from anju.plugins import PluginConfig

_CRUD = ("view", "add", "change", "delete")


def _perms(*models: str, actions=_CRUD) -> tuple[str, ...]:
    return tuple(f"disputes.{action}_{model}" for model in models for action in actions)


#: What county and township staff read (the grids of their jurisdiction only).
_JURISDICTION_READS = _perms(
    "dispute",
    "disputeparty",
    "mediationsession",
    "disputeescalation",
    "screeninground",
    actions=("view",),
)


class DisputesConfig(PluginConfig):
    """Disputes (矛盾纠纷): screening, mediation, escalation and the resolution figures."""

    name = "plugins.disputes"
    label = "disputes"
    verbose_name = _("Disputes")
    title = _("Disputes")
    description = _(
        "Disputes between residents: screening by the grids, mediation, escalation and "
        "the resolution figures."
    )
    icon = "warning"
    platform_requires = ">=0.1,<1"
    slug = "disputes"
    default_settings = {
        # Days after a settlement when the follow-up (回访) is due.
        "FOLLOW_UP_DAYS": 7,
    }
    required_settings = ()
    # Dispute details are for the grid's team and the committee only (which grids: the
    # team seats); service staff and residents get nothing here.
    role_permissions = {
        "committee": _perms(
            "dispute", "disputeparty", "mediationsession", "disputeescalation", "screeninground"
        ),
        "grid_worker": _perms(
            "dispute",
            "disputeparty",
            "mediationsession",
            "disputeescalation",
            "screeninground",
            actions=("view", "add", "change"),
        ),
        "resident_rep": _perms(
            "dispute",
            "disputeparty",
            "mediationsession",
            "disputeescalation",
            "screeninground",
            actions=("view",),
        ),
        # County and township staff read what the grids of their jurisdiction hold,
        # scoped like a representative's (anju.permissions.jurisdiction widens their
        # grids); no "wide" permission, which would skip the grid scope. Township desk
        # staff get nothing here: they see only the cases routed to their desk.
        "county_staff": _JURISDICTION_READS,
        "township_staff": _JURISDICTION_READS,
    }
    beat_schedule = {
        "disputes-remind-follow-ups": {
            "task": "disputes.remind_follow_ups",
            "schedule": crontab(hour=8, minute=0),
        },
    }

    def ready(self):
        super().ready()
        # One name in the API schema for the levels a dispute moves through. (No
        # receiver of the engine's case_changed: a dispute reads its level and outcome
        # from its case, so the engine's own changes need nothing from this plugin.)
        from anju.api import name_enum

        name_enum("DisputeLevelEnum", "plugins.disputes.models.DisputeLevel")
        name_enum("DisputeOutcomeEnum", "plugins.disputes.models.Outcome")
