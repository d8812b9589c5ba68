"""Which postings suit which job seekers (人岗匹配), both ways, and telling matching
seekers of a new posting.

A seeker and a posting match when

* the place fits: the seeker wants to work locally, away, or either;
* the pay fits: the posting's highest pay reaches the seeker's lowest wish (a posting
  with no pay given, "by agreement", fits every wish);
* the tags fit: if the seeker chose any wishes, the posting has at least one of them;
* the community fits: a posting published on a community's site is for that community's
  seekers only (as a notice is for its residents); one on a site no community claims, a
  county's own, is for every seeker of the installation. Each seeker is told as a
  resident of their own community (the message carries it, so that community's
  committee sees it in the outbox).

``matches`` says it for one pair; ``postings_for`` and ``seekers_for`` answer the same
question as one query each, so a list of matches costs the same whatever its length.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import reduce
from operator import or_

from django.db.models import Q

from anju import notify
from anju.community import community_of_page

from .fields import tag_q
from .models import JobPostingPage, JobSeeker, WishedPlace, open_postings

NEW_POSTING_TEMPLATE = "employment.new_posting"


def matches(posting: JobPostingPage, seeker: JobSeeker) -> bool:
    if seeker.wished_place not in (WishedPlace.EITHER, posting.place):
        return False
    if seeker.min_pay and posting.pay_max is not None and posting.pay_max < seeker.min_pay:
        return False
    if seeker.tags and not set(seeker.tags) & set(posting.tags or []):
        return False
    return community_of_page(posting) in (None, seeker.resident.community_id)


def postings_for(seeker: JobSeeker, postings=None):
    """Open postings (or ``postings``) that match ``seeker``. Which site a posting is on
    follows from its path and the sites' root paths (kept in the process), so the
    postings of other communities' sites are found in Python over the open postings'
    paths: one query whatever their number."""
    postings = open_postings() if postings is None else postings
    q = Q()
    if seeker.wished_place != WishedPlace.EITHER:
        q &= Q(place=seeker.wished_place)
    if seeker.min_pay:
        q &= Q(pay_max__isnull=True) | Q(pay_max__gte=seeker.min_pay)
    if seeker.tags:
        q &= reduce(or_, (tag_q("tags", tag) for tag in seeker.tags))
    postings = postings.filter(q)
    mine = (None, seeker.resident.community_id)
    elsewhere = [
        posting.pk
        for posting in postings.only("pk", "url_path")
        if community_of_page(posting) not in mine
    ]
    return postings.exclude(pk__in=elsewhere) if elsewhere else postings


def seekers_for(posting: JobPostingPage, seekers=None):
    """Seekers still looking (or ``seekers``) that match ``posting``: of the posting's
    community, when its site is a community's."""
    if seekers is None:
        seekers = JobSeeker.objects.filter(status=JobSeeker.Status.LOOKING)
    community_id = community_of_page(posting)
    if community_id is not None:
        seekers = seekers.filter(resident__community_id=community_id)
    q = Q(wished_place__in=[WishedPlace.EITHER, posting.place])
    if posting.pay_max is not None:
        q &= Q(min_pay__isnull=True) | Q(min_pay__lte=posting.pay_max)
    tags_q = Q(tags="")
    for tag in posting.tags or []:
        tags_q |= tag_q("tags", tag)
    return seekers.filter(q & tags_q)


def _recipients(seekers) -> Iterator[notify.Recipient]:
    for seeker in seekers.select_related("resident").iterator(chunk_size=500):
        phone = seeker.resident.phone
        if phone:
            yield notify.Recipient(
                key=f"seeker:{seeker.pk}",
                channel="sms",
                phone=phone,
                community_id=seeker.resident.community_id,
            )


def notify_matching_seekers(posting: JobPostingPage, seekers=None, request=None) -> int:
    """Send every matching seeker (with a phone number) one SMS about ``posting``
    through the notify outbox. Sending again adds nothing for those already told
    (one dedup prefix per posting). Returns the number of new messages."""
    url = posting.get_full_url(request) or posting.url or ""
    payload = {
        "title": posting.title,
        "employer": posting.employer,
        "pay": posting.pay_text,
        "place": posting.place_detail or posting.get_place_display(),
        "closing_date": posting.closing_date.isoformat(),
        "url": url,
    }
    return notify.fan_out(
        _recipients(seekers_for(posting, seekers)),
        template=NEW_POSTING_TEMPLATE,
        payload=payload,
        dedup_prefix=f"employment:posting:{posting.pk}",
    )
