"""Figures of the employment service station: postings open, interest per posting,
seekers placed, subsidy applications by status. A fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Q

from anju.services import Status

from . import access
from .models import JobSeeker, open_postings
from .subsidies import applications


def employment_figures(user) -> dict:
    postings = list(
        open_postings()
        .annotate(interest_count=Count("interests"))
        .order_by("-interest_count", "closing_date")
        .only("pk", "title", "employer", "closing_date")
    )
    # The same rows the job-seeker list shows (station-wide for the station's staff).
    seekers = access.visible(JobSeeker.objects.all(), user).aggregate(
        total=Count("pk"),
        looking=Count("pk", filter=Q(status=JobSeeker.Status.LOOKING)),
        placed=Count("pk", filter=Q(status=JobSeeker.Status.PLACED)),
    )
    counts = dict(applications(user).order_by().values_list("status").annotate(n=Count("pk")))
    by_status = [
        {"status": status, "label": status.label, "count": counts.get(status.value, 0)}
        for status in Status
    ]
    return {
        "postings_open": len(postings),
        "interest_by_posting": [
            {"id": p.pk, "title": p.title, "employer": p.employer, "interest": p.interest_count}
            for p in postings
        ],
        "seekers": seekers["total"],
        "seekers_looking": seekers["looking"],
        "seekers_placed": seekers["placed"],
        "applications": sum(counts.values()),
        "applications_by_status": by_status,
    }
