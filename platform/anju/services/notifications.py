"""What the services engine tells people, through the notify outbox.

- the requester: the reference number when a case is filed, and each status change and
  public reply — in their portal inbox when they filed with an account (and by e-mail
  if they gave an address), else by SMS (so an elderly resident needs no account);
- staff, in the app (and by e-mail when they gave an address): a case assigned to
  them, a case sent back to work, and cases escalated to them — one message per person
  per escalation batch, not one per case.

Every message has a dedup key, so a retried task or a re-run sweep sends nothing twice.
Messages are queued inside the caller's transaction and handed to workers when it
commits.
"""

from django.utils.translation import gettext_lazy as _

from anju import notify
from anju.notify.templating import register_template

register_template(
    "services.filed",
    _("Request received"),
    _("Your request “{service}” has been received. Reference number {reference}."),
)
register_template(
    "services.status_changed",
    _("Request {reference}"),
    _("Your request {reference} (“{service}”) is now: {status}."),
)
register_template(
    "services.replied",
    _("Request {reference}"),
    _("There is a reply to your request {reference}. Track it with its number on the portal."),
)
register_template(
    "services.assigned",
    _("Case {reference} assigned to you"),
    _("Case {reference} (“{service}”) has been assigned to you."),
)
register_template(
    "services.reopened",
    _("Case {reference} is not settled"),
    _("Case {reference} (“{service}”) is back in progress: {who} says the matter is not settled."),
)
register_template(
    "services.escalated",
    _("{count} case(s) escalated to you"),
    _("{count} case(s) were escalated to the community and need you: {references}."),
)


def _payload(case, **extra):
    return {"reference": case.reference, "service": case.service.display_title, **extra}


def _tell_requester(case, *, template: str, payload: dict, dedup_key: str) -> None:
    """A requester with a portal account reads it in their inbox (and e-mail, if they
    gave an address); one without gets the SMS. Staff filing for themselves are
    residents here too."""
    user = case.requester_user if case.requester_user_id else None
    if user is not None and user.is_active:
        to_user(
            user,
            template=template,
            payload=payload,
            dedup_key=dedup_key,
            community=case.community_id,
        )
    elif case.requester_phone:
        notify.enqueue(
            channel="sms",
            phone=case.requester_phone,
            template=template,
            payload=payload,
            dedup_key=dedup_key,
            community=case.community_id,
        )


def filed(case) -> None:
    _tell_requester(
        case,
        template="services.filed",
        payload=_payload(case),
        dedup_key=f"services:case:{case.pk}:filed",
    )


def status_changed(case) -> None:
    count = case.events.count()
    _tell_requester(
        case,
        template="services.status_changed",
        payload=_payload(case, status=str(case.get_status_display())),
        dedup_key=f"services:case:{case.pk}:status:{case.status}:{count}",
    )


def replied(case) -> None:
    count = case.events.count()
    _tell_requester(
        case,
        template="services.replied",
        payload=_payload(case),
        dedup_key=f"services:case:{case.pk}:reply:{count}",
    )


def assigned(case) -> None:
    if case.assignee_id:
        count = case.events.count()
        to_user(
            case.assignee_id,
            template="services.assigned",
            payload=_payload(case),
            dedup_key=f"services:case:{case.pk}:assigned:{case.assignee_id}:{count}",
            community=case.community_id,
        )


def reopened(case, *, by_resident: bool = False) -> None:
    """A follow-up found the matter unsettled: its handler hears of it (in the app, and
    by e-mail when they gave an address)."""
    if not case.assignee_id:
        return
    count = case.events.count()
    who = _("the resident") if by_resident else _("the follow-up")
    to_user(
        case.assignee,
        template="services.reopened",
        payload=_payload(case, who=str(who)),
        dedup_key=f"services:case:{case.pk}:reopened:{count}",
        community=case.community_id,
    )


def to_user(
    user, *, template: str, payload: dict, dedup_key: str, email=None, community=None
) -> int:
    """One message to a person: in the app, and also by e-mail when they gave an
    address (the e-mail channel, Django's e-mail backend): ``notify.to_user``."""
    return notify.to_user(
        user,
        template=template,
        payload=payload,
        dedup_key=dedup_key,
        email=email,
        community=community,
    )


def escalated(cases, committee_by_community: dict | None = None, *, why: str = "escalated") -> int:
    """Tell each new holder of ``cases`` (just escalated) in one message. Cases with no
    holder go to every committee member of their community. ``why`` ("escalated", or
    "overdue" for the reminder when a community-level case runs over) keeps the two
    kinds of message for the same cases apart in the dedup key."""
    from anju.community.models import GridTeamMember, TeamRole

    cases = list(cases)
    if not cases:
        return 0
    if committee_by_community is None:
        committee_by_community = {}
        seats = GridTeamMember.objects.filter(
            role=TeamRole.COMMITTEE, grid__community_id__in={c.community_id for c in cases}
        ).values_list("grid__community_id", "user_id")
        for community_id, user_id in seats:
            committee_by_community.setdefault(community_id, set()).add(user_id)
    by_user: dict[int, list[str]] = {}
    communities_of: dict[int, set[int]] = {}
    for case in cases:
        holders = (
            {case.assignee_id}
            if case.assignee_id
            else committee_by_community.get(case.community_id, set())
        )
        for user_id in holders:
            by_user.setdefault(user_id, []).append(case.reference)
            communities_of.setdefault(user_id, set()).add(case.community_id)
    span = f"{min(c.pk for c in cases)}-{max(c.pk for c in cases)}-{len(cases)}"
    emails = notify.emails_of(by_user)  # one query for the batch, not one per person
    created = 0
    for user_id, references in by_user.items():
        shown = "、".join(references[:20]) + ("…" if len(references) > 20 else "")
        created += to_user(
            user_id,
            template="services.escalated",
            payload={"count": len(references), "references": shown},
            dedup_key=f"services:{why}:{span}:user:{user_id}",
            email=emails.get(user_id, ""),
            # One community's staff see it in the outbox; cases of several: superusers.
            community=next(iter(communities_of[user_id]))
            if len(communities_of[user_id]) == 1
            else None,
        )
    return created


register_template(
    "services.handed_over",
    _("Case {reference} handed over to {organisation}"),
    _(
        "Case {reference} (“{service}”) has been handed over to {organisation}. "
        "Please deal with it."
    ),
)


def handed_over(case, organisation) -> None:
    """Tell each staff member of ``organisation`` that ``case`` is now theirs too."""
    for user in organisation.members.filter(is_active=True):
        to_user(
            user,
            template="services.handed_over",
            payload=_payload(case, organisation=organisation.name),
            dedup_key=f"services:case:{case.pk}:handover:{organisation.pk}:{user.pk}",
            community=case.community_id,
        )
