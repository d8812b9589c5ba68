"""What the campaigns engine tells staff, through the notify outbox (in the app, and by
e-mail to those who gave an address): a
round overdue to the grid workers who still owe visits, then to the committee members
of the grids that lag. Every message has a dedup key: a re-run sweep sends nothing
twice."""

from django.utils.translation import gettext_lazy as _

from anju import notify
from anju.notify.templating import register_template

register_template(
    "campaigns.overdue_worker",
    _("“{campaign}” is overdue"),
    _("{count} household(s) of “{campaign}” were due by {due} and are not yet settled."),
)
register_template(
    "campaigns.overdue_committee",
    _("“{campaign}” is overdue in {grids}"),
    _(
        "“{campaign}” was due by {due}; {count} household(s) in {grids} are not yet "
        "settled. The grid workers were reminded."
    ),
)


def overdue_to_worker(round_, user_id: int, count: int) -> bool:
    created = notify.to_user(
        user_id,
        template="campaigns.overdue_worker",
        payload={"campaign": round_.campaign.title, "count": count, "due": str(round_.due_on)},
        dedup_key=f"campaigns:overdue:{round_.pk}:worker:{user_id}",
        community=round_.campaign.community_id,
    )
    return bool(created)


def overdue_to_committee(round_, user_id: int, count: int, grids: list[str]) -> bool:
    created = notify.to_user(
        user_id,
        template="campaigns.overdue_committee",
        payload={
            "campaign": round_.campaign.title,
            "count": count,
            "due": str(round_.due_on),
            "grids": "、".join(grids),
        },
        dedup_key=f"campaigns:overdue:{round_.pk}:committee:{user_id}",
        community=round_.campaign.community_id,
    )
    return bool(created)
