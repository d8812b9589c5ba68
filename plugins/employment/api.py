"""The API, mounted by the platform at /api/employment/. The platform applies its own
permission class (model permissions per role) to every viewset here.

* ``postings/`` — open job postings (staff; anyone reads them on the portal and through
  the public page API, ``/api/v2/pages/?type=employment.JobPostingPage&fields=*``);
  ``postings/<id>/seekers/`` — the job seekers it matches (grid-scoped);
* ``seekers/`` — job seekers (grid-scoped; station-wide for the station's staff),
  ``seekers/<id>/postings/`` — the open postings that match one;
* ``courses/`` — training courses with places taken and waiting;
* ``migrant-work/`` — migrant-work records (grid-scoped);
* ``applications/`` — subsidy applications: cases of the subsidy schemes (grid-scoped
  as every case list is).

Each list costs the same number of queries whatever its length.
"""

from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema
from rest_framework import routers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from anju.community import Resident
from anju.permissions import (
    GridScopedViewSetMixin,
    ModelCleanSerializerMixin,
    Scope,
    ScopedPrimaryKeyRelatedField,
)
from anju.services import Case

from . import access, matching
from .fields import JobTag
from .models import Course, Enrolment, JobPostingPage, JobSeeker, MigrantWork, open_postings
from .subsidies import applications


class TagsField(serializers.MultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=JobTag.choices, **kwargs)

    def to_representation(self, value):
        return list(value or [])

    def to_internal_value(self, data):
        return sorted(super().to_internal_value(data))


class PostingSerializer(serializers.ModelSerializer):
    tags = TagsField(read_only=True)
    is_closed = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = JobPostingPage
        fields = [
            "id",
            "title",
            "employer",
            "openings",
            "pay_min",
            "pay_max",
            "place",
            "place_detail",
            "working_hours",
            "requirements",
            "benefits",
            "contact",
            "closing_date",
            "tags",
            "drive",
            "is_closed",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, posting) -> str:
        return posting.get_url(self.context.get("request")) or ""


class ResidentScopedField(ScopedPrimaryKeyRelatedField):
    """A resident among those the user may see (station-wide for the station staff)."""

    def get_queryset(self):
        user = getattr(self.context.get("request"), "user", None)
        residents = Resident.objects.all()
        return residents if access.station_wide(user) else access.visible(residents, user)


class SeekerSerializer(ModelCleanSerializerMixin, serializers.ModelSerializer):
    resident = ResidentScopedField(queryset=Resident.objects.all())
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    phone = serializers.CharField(source="masked_phone", read_only=True)
    tags = TagsField(required=False)

    class Meta:
        model = JobSeeker
        fields = [
            "id",
            "resident",
            "resident_name",
            "phone",
            "skills",
            "wished_place",
            "min_pay",
            "tags",
            "status",
            "placed_with",
            "placed_on",
            "note",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class MigrantWorkSerializer(ModelCleanSerializerMixin, serializers.ModelSerializer):
    resident = ScopedPrimaryKeyRelatedField(queryset=Resident.objects.all())
    resident_name = serializers.CharField(source="resident.name", read_only=True)

    class Meta:
        model = MigrantWork
        fields = [
            "id",
            "resident",
            "resident_name",
            "place",
            "employer",
            "job",
            "since",
            "until",
            "note",
        ]


class CourseSerializer(serializers.ModelSerializer):
    enrolled = serializers.IntegerField(read_only=True)
    waiting = serializers.IntegerField(read_only=True)

    class Meta:
        model = Course
        fields = [
            "id",
            "title",
            "organiser",
            "description",
            "place",
            "schedule",
            "starts_on",
            "ends_on",
            "capacity",
            "enrolled",
            "waiting",
        ]


class ApplicationSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="service.subsidy_scheme.kind", read_only=True)
    phone = serializers.CharField(source="masked_phone", read_only=True)
    grid = serializers.CharField(source="grid.name", read_only=True, default=None)

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "kind",
            "requester_name",
            "phone",
            "grid",
            "status",
            "on_behalf",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema(tags=["employment"])
class PostingViewSet(viewsets.ReadOnlyModelViewSet):
    """Open job postings (招聘岗位)."""

    serializer_class = PostingSerializer
    grid_scope = Scope.GRID  # the matching seekers below are grid data
    queryset = JobPostingPage.objects.none()  # for the schema and permissions

    def get_queryset(self):
        return open_postings().defer("search_text").order_by("closing_date", "pk")

    @extend_schema(responses=SeekerSerializer(many=True))
    @action(detail=True, methods=["get"])
    def seekers(self, request, pk=None):
        """Job seekers who match this posting (of the grids you may see)."""
        if not request.user.has_perm("employment.view_jobseeker"):
            return Response(status=403)
        posting = self.get_object()
        seekers = access.visible(
            JobSeeker.objects.filter(status=JobSeeker.Status.LOOKING), request.user
        )
        rows = matching.seekers_for(posting, seekers).select_related("resident")
        # Paginated as every list of the API is, and as the schema says.
        page = self.paginate_queryset(rows.order_by("-created_at", "-pk"))
        data = SeekerSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)


@extend_schema(tags=["employment"])
class SeekerViewSet(GridScopedViewSetMixin, viewsets.ModelViewSet):
    """Job seekers (求职登记)."""

    queryset = JobSeeker.objects.select_related("resident").order_by("-created_at", "-pk")
    serializer_class = SeekerSerializer

    def get_queryset(self):
        return access.visible(self.queryset.all(), self.request.user)

    @extend_schema(responses=PostingSerializer(many=True))
    @action(detail=True, methods=["get"])
    def postings(self, request, pk=None):
        """Open postings that match this job seeker."""
        seeker = self.get_object()
        rows = matching.postings_for(seeker).defer("search_text").order_by("closing_date", "pk")
        page = self.paginate_queryset(rows)
        data = PostingSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)


@extend_schema(tags=["employment"])
class CourseViewSet(viewsets.ReadOnlyModelViewSet):
    """Training courses with their places taken and waiting list."""

    serializer_class = CourseSerializer
    grid_scope = Scope.NO_GRID_DATA
    queryset = Course.objects.annotate(
        enrolled=Count(
            "enrolments",
            filter=Q(
                enrolments__status__in=(Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED)
            ),
        ),
        waiting=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITING)),
    ).order_by("-starts_on", "-pk")


@extend_schema(tags=["employment"])
class MigrantWorkViewSet(GridScopedViewSetMixin, viewsets.ModelViewSet):
    """Migrant-work records (外出务工)."""

    queryset = MigrantWork.objects.select_related("resident").order_by("-since", "-pk")
    serializer_class = MigrantWorkSerializer


@extend_schema(tags=["employment"])
class ApplicationViewSet(viewsets.ReadOnlyModelViewSet):
    """Subsidy applications (稳岗补贴, 交通补贴): cases of the subsidy schemes. Act on
    them through /api/services/cases/."""

    serializer_class = ApplicationSerializer
    grid_scope = Scope.GRID
    queryset = Case.objects.none()

    def get_queryset(self):
        return (
            applications(self.request.user)
            .select_related("service__subsidy_scheme", "grid")
            .order_by("-created_at", "-pk")
        )


router = routers.SimpleRouter()
router.register("postings", PostingViewSet, basename="posting")
router.register("seekers", SeekerViewSet, basename="seeker")
router.register("courses", CourseViewSet, basename="course")
router.register("migrant-work", MigrantWorkViewSet, basename="migrant-work")
router.register("applications", ApplicationViewSet, basename="application")
