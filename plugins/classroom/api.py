"""The API, mounted by the platform at /api/classroom/ (read-only). The platform applies
its permission class (model permissions per role) to every viewset here.

* ``classes/`` — the classes of open terms with places taken and waiting;
* ``enrolments/`` — children in classes and on waiting lists (grid-scoped; all for the
  classroom's staff);
* ``attendance/`` — check-ins and check-outs (likewise);
* ``calls/`` — open call tasks for absent children (likewise).

Each list costs the same number of queries whatever its length.
"""

from django.db.models import Count, Q
from drf_spectacular.utils import extend_schema
from rest_framework import routers, serializers, viewsets

from anju.permissions import GridScopedViewSetMixin, Scope

from . import access
from .models import Attendance, CallTask, ClassGroup, Enrolment


class ClassSerializer(serializers.ModelSerializer):
    term = serializers.CharField(source="term.name", read_only=True)
    in_charge = serializers.CharField(source="in_charge.name", read_only=True, default="")
    enrolled = serializers.IntegerField(read_only=True)
    waiting = serializers.IntegerField(read_only=True)

    class Meta:
        model = ClassGroup
        fields = [
            "id",
            "term",
            "kind",
            "title",
            "weekdays",
            "starts_at",
            "ends_at",
            "room",
            "capacity",
            "in_charge",
            "enrolled",
            "waiting",
        ]
        read_only_fields = fields


@extend_schema(tags=["classroom"])
class ClassViewSet(viewsets.ReadOnlyModelViewSet):
    """Classes with their places taken and waiting list."""

    serializer_class = ClassSerializer
    grid_scope = Scope.NO_GRID_DATA
    queryset = (
        ClassGroup.objects.select_related("term", "in_charge")
        .annotate(
            enrolled=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED)),
            waiting=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITING)),
        )
        .order_by("-term__starts_on", "starts_at", "pk")
    )


class EnrolmentSerializer(serializers.ModelSerializer):
    child = serializers.CharField(source="child.name", read_only=True)
    klass = serializers.CharField(source="klass.title", read_only=True)

    class Meta:
        model = Enrolment
        fields = [
            "id",
            "child",
            "klass",
            "klass_id",
            "status",
            "priority",
            "consent_by",
            "consent_at",
            "created_at",
        ]
        read_only_fields = fields


class ChildrenMixin(GridScopedViewSetMixin):
    def get_queryset(self):
        return access.visible(self.queryset.all(), self.request.user)


@extend_schema(tags=["classroom"])
class EnrolmentViewSet(ChildrenMixin, viewsets.ReadOnlyModelViewSet):
    """Children in classes and on waiting lists."""

    serializer_class = EnrolmentSerializer
    queryset = Enrolment.objects.select_related("child", "klass").order_by(
        "klass_id", "status", "created_at", "pk"
    )


class AttendanceSerializer(serializers.ModelSerializer):
    child = serializers.CharField(source="enrolment.child.name", read_only=True)
    picked_up_by = serializers.CharField(source="picked_up_by.name", read_only=True, default="")

    class Meta:
        model = Attendance
        fields = [
            "id",
            "enrolment",
            "child",
            "day",
            "checked_in_at",
            "checked_out_at",
            "picked_up_by",
        ]
        read_only_fields = fields


@extend_schema(tags=["classroom"])
class AttendanceViewSet(ChildrenMixin, viewsets.ReadOnlyModelViewSet):
    """Check-ins and check-outs."""

    serializer_class = AttendanceSerializer
    queryset = Attendance.objects.select_related("enrolment__child", "picked_up_by").order_by(
        "-day", "pk"
    )


class CallSerializer(serializers.ModelSerializer):
    child = serializers.CharField(source="enrolment.child.name", read_only=True)

    class Meta:
        model = CallTask
        fields = ["id", "enrolment", "child", "day", "created_at", "done_at", "outcome"]
        read_only_fields = fields


@extend_schema(tags=["classroom"])
class CallViewSet(ChildrenMixin, viewsets.ReadOnlyModelViewSet):
    """Call tasks for children expected but absent."""

    serializer_class = CallSerializer
    queryset = CallTask.objects.select_related("enrolment__child").order_by("-day", "pk")


router = routers.SimpleRouter()
router.register("classes", ClassViewSet)
router.register("enrolments", EnrolmentViewSet)
router.register("attendance", AttendanceViewSet)
router.register("calls", CallViewSet)
