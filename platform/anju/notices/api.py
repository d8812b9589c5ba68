"""The public notices API: /api/notices/ and /api/notices/<id>/.

Anyone may read it, signed in or not (``Scope.PUBLIC``, ``AllowAny``), and nothing can be
written. The list holds what the portal lists (live, public, unexpired; pinned first,
then newest), filtered by ``?category=`` and searched with ``?q=`` (Chinese segmented as
on the portal). A detail is readable for an expired notice too, and says so. A list runs
the same number of queries whatever its length.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import pagination, permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from wagtail.rich_text import expand_db_html

from anju.permissions.urlscope import Scope

from . import categories
from .models import NoticeAttachment, NoticePage
from .queries import LIST_DEFERRED, listed_notices, readable_notices
from .search import MAX_QUERY_LENGTH, search_notices
from .serializers import AttachmentSerializer


class NoticeListSerializer(serializers.ModelSerializer):
    category_label = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = NoticePage
        fields = [
            "id",
            "title",
            "category",
            "category_label",
            "summary",
            "pinned",
            "first_published_at",
            "last_published_at",
            "expire_at",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_url(self, notice) -> str:
        request = self.context.get("request")
        return notice.get_full_url(request)


class NoticeDetailSerializer(NoticeListSerializer):
    body = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    expired = serializers.BooleanField(source="is_expired", read_only=True)

    class Meta(NoticeListSerializer.Meta):
        fields = NoticeListSerializer.Meta.fields + ["body", "attachments", "expired"]
        read_only_fields = fields

    def get_body(self, notice) -> str:
        """The body as HTML, links to pages and documents expanded."""
        return expand_db_html(notice.body)


class NoticePagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


@extend_schema(tags=["notices"])
class NoticeViewSet(viewsets.ReadOnlyModelViewSet):
    """Published notices (通知公告), readable by anyone."""

    grid_scope = Scope.PUBLIC
    permission_classes = [permissions.AllowAny]
    pagination_class = NoticePagination
    filter_backends: list = []
    queryset = NoticePage.objects.none()  # for the schema; get_queryset answers

    def get_serializer_class(self):
        return NoticeDetailSerializer if self.action == "retrieve" else NoticeListSerializer

    def get_queryset(self):
        if self.action == "retrieve":
            return readable_notices().prefetch_related(
                Prefetch(
                    "attachments",
                    queryset=NoticeAttachment.objects.select_related("document"),
                )
            )
        notices = listed_notices().defer(*LIST_DEFERRED)
        category = self.request.query_params.get("category", "").strip()
        if category:
            if category not in dict(categories.categories()):
                raise ValidationError(
                    {"category": [_("Unknown notice category: %(code)s") % {"code": category}]}
                )
            notices = notices.filter(category=category)
        query = self.request.query_params.get("q", "").strip()
        if query:
            if len(query) > MAX_QUERY_LENGTH:
                raise ValidationError(
                    {
                        "q": [
                            _("Search for at most %(limit)d characters.")
                            % {"limit": MAX_QUERY_LENGTH}
                        ]
                    }
                )
            notices = search_notices(query, notices)
        return notices

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "category",
                OpenApiTypes.STR,
                description="Only notices of this category (policy, public_affairs, "
                "employment, safety, activity, or one a plugin adds).",
            ),
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description=f"Search words (Chinese is segmented), at most "
                f"{MAX_QUERY_LENGTH} characters. Results are then ordered by relevance.",
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


#: (prefix, viewset, basename) for the API router (anju.api.urls).
ROUTES = (("notices", NoticeViewSet, "notice"),)
