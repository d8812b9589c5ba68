"""The portal's side: the job board (JobIndexPage), a posting's page, "I'm interested",
the station's own page, courses and the subsidy application forms.

Every list is built here with a fixed number of queries; templates only read.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from anju.core import keeps_answers_when_too_big, lazy_context
from anju.notices import clean_query, query_terms
from anju.plugins import current_community
from anju.services import handle_request_form, service_for_code_form

from .fields import tag_q
from .forms import JobFilterForm
from .models import Course, Enrolment, JobIndexPage, SubsidyKind, SubsidyScheme, open_postings

#: Postings per page of the job board.
PER_PAGE = 20
#: Columns a list never shows.
LIST_DEFERRED = ("search_text", "requirements", "benefits")


def search_postings(query: str, postings):
    """Postings matching the words of ``query`` (jieba-segmented, as the notices are):
    every word, or — when no posting has them all — any of its longer words."""
    terms = query_terms(query)
    if not terms:
        return postings.none()
    every = postings.filter(*[Q(search_text__icontains=term) for term in terms])
    if len(terms) == 1 or every.exists():
        return every
    words = [term for term in terms if len(term) > 1]
    if not words:
        return every
    return postings.filter(reduce(or_, (Q(search_text__icontains=w) for w in words)))


def filtered_postings(params, root=None):
    """Open postings filtered by the job board's parameters (place, pay, tag, q);
    returns (postings, the filter form)."""
    form = JobFilterForm(params)
    postings = open_postings()
    if root is not None:
        postings = postings.child_of(root)
    postings = postings.defer(*LIST_DEFERRED).order_by("-first_published_at", "-pk")
    if form.is_valid():
        data = form.cleaned_data
        if data["place"]:
            postings = postings.filter(place=data["place"])
        if data["pay"]:
            # Pay by agreement (no figure) is shown to everyone.
            postings = postings.filter(Q(pay_max__gte=data["pay"]) | Q(pay_max__isnull=True))
        if data["tag"]:
            postings = postings.filter(tag_q("tags", data["tag"]))
        query = clean_query(data["q"])
        if query:
            postings = search_postings(query, postings)
    return postings, form


#: What job_board_context gives the template.
BOARD_CONTEXT = ("postings", "page_obj", "paginator", "filter_form", "query", "filtered")


def job_board_context(index: JobIndexPage, request) -> dict:
    postings, form = filtered_postings(request.GET, root=index)
    paginator = Paginator(postings, PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page", ""))
    return {
        "postings": page_obj.object_list,
        "page_obj": page_obj,
        "paginator": paginator,
        "filter_form": form,
        "query": form.cleaned_data.get("q", "") if form.is_valid() else "",
        "filtered": any(request.GET.get(k) for k in ("q", "place", "pay", "tag")),
    }


def posting_context(posting, request) -> dict:
    return {
        "index": posting.get_parent(),
        "closed": posting.is_closed,
        "interest_url": reverse("employment:interest", kwargs={"pk": posting.pk}),
    }


def _board():
    return JobIndexPage.objects.live().public().first()


def index(request):
    """The employment service station's page (就业服务站), at /services/employment/. Kept
    rendered until a posting is published or a course, an enrolment or a scheme changes
    (``portal_models``, ``{% publishcache %}``), so a render costs no query."""
    today = timezone.localdate()

    def build():
        board = _board()
        postings = list(filtered_postings({}, root=board)[0][:5]) if board else []
        courses = list(Course.objects.filter(ends_on__gte=today).order_by("starts_on")[:5])
        schemes = list(
            SubsidyScheme.objects.select_related("service").filter(service__is_active=True)
        )
        return {"board": board, "postings": postings, "courses": courses, "schemes": schemes}

    context = lazy_context(build, ("board", "postings", "courses", "schemes"))
    context["fragment_key"] = today.isoformat()
    return TemplateResponse(request, "employment/index.html", context)


def courses(request):
    """Training courses still to come or running, with the places left."""
    today = timezone.localdate()
    rows = list(
        Course.objects.filter(ends_on__gte=today)
        .annotate(
            taken=Count(
                "enrolments",
                filter=Q(enrolments__status__in=(Enrolment.Status.ENROLLED,)),
            ),
            waiting=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITING)),
        )
        .order_by("starts_on", "pk")
    )
    for course in rows:
        course.places_left = max(course.capacity - course.taken, 0)
    return TemplateResponse(request, "employment/courses.html", {"courses": rows})


@keeps_answers_when_too_big
def interest(request, pk: int):
    """ "I'm interested" in posting ``pk``: the plugin's service form, with the posting
    filled in. The case goes to the employment staff."""
    from .services import INTEREST_FORM, save_interest

    posting = open_postings().filter(pk=pk).first()
    if posting is None:
        raise Http404
    base = INTEREST_FORM.form_class

    class PostingInterestForm(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.initial.setdefault("posting", posting.pk)

    PostingInterestForm.__name__ = base.__name__
    service = service_for_code_form("employment", INTEREST_FORM)
    return handle_request_form(
        request,
        service,
        template="employment/interest.html",
        context={"spec": INTEREST_FORM, "posting": posting},
        code_form_class=PostingInterestForm,
        on_submit=save_interest,
        community=current_community(request),
    )


@keeps_answers_when_too_big
def apply_subsidy(request, kind: str):
    """A subsidy application (稳岗补贴, 交通补贴) on the portal: the scheme's staff-built
    form, filed as a case for the resident's grid worker."""
    if kind not in SubsidyKind.values:
        raise Http404
    scheme = SubsidyScheme.objects.select_related("service").filter(kind=kind).first()
    if scheme is None:
        raise Http404
    return handle_request_form(
        request,
        scheme.service,
        template="employment/subsidy_form.html",
        context={"scheme": scheme},
        community=current_community(request),
    )
