"""Serializers shared by the notices API (anju.notices.api) and Wagtail's page API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class AttachmentSerializer(serializers.Serializer):
    """A notice's attachment: a Wagtail document, linked where it is served."""

    title = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    file_extension = serializers.CharField(source="document.file_extension", read_only=True)
    file_size = serializers.IntegerField(
        source="document.file_size", read_only=True, allow_null=True
    )

    def get_title(self, attachment) -> str:
        return str(attachment)

    @extend_schema_field(serializers.URLField())
    def get_url(self, attachment) -> str:
        url = attachment.document.url
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url
