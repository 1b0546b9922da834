from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shop.files.models import UploadContext, UploadedFile
from shop.files.services import file_url


class UploadedFileSerializer(serializers.ModelSerializer):
    """Metadata of a stored file. ``url`` and ``thumbnails`` are public URLs for public files and
    the authenticated content endpoint for private ones."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    url = serializers.SerializerMethodField()
    thumbnails = serializers.SerializerMethodField()

    class Meta:
        model = UploadedFile
        fields = [
            "id",
            "context",
            "original_filename",
            "size",
            "mime_type",
            "extension",
            "media_type",
            "width",
            "height",
            "url",
            "thumbnails",
            "is_public",
            "is_temporary",
            "expires_at",
            "related_entity_type",
            "related_entity_id",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, file):
        return file_url(file=file, request=self.context.get("request"))

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string", "format": "uri"}})
    def get_thumbnails(self, file):
        request = self.context.get("request")
        return {name: file_url(file=file, size=name, request=request) for name in file.thumbnails}


class FileUploadRequestSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        allow_empty=False,
        help_text="One or more files (repeat the field).",
    )
    private = serializers.BooleanField(
        required=False, default=False, help_text="Keep the files private (where the context allows it)."
    )
    temporary = serializers.BooleanField(
        required=False, default=False, help_text="Delete the files unless attached before they expire."
    )


class ProfilePictureRequestSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, use_url=False, help_text="The new picture.")


class ProfilePictureAliasRequestSerializer(serializers.Serializer):
    """``upload/profile-picture``: the picture in ``file``, or as the single item of ``files`` like the other
    ``upload/...`` short URLs."""

    file = serializers.FileField(allow_empty_file=True, use_url=False, required=False, help_text="The new picture.")
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False),
        required=False,
        help_text="Alternatively: exactly one file in `files`.",
    )

    def validate(self, attrs):
        uploads = ([attrs["file"]] if attrs.get("file") is not None else []) + list(attrs.get("files") or [])
        if len(uploads) != 1:
            message = gettext("Send exactly one picture, in `file` (or as the only item of `files`).")
            raise serializers.ValidationError({"file": [message]})
        return {"file": uploads[0]}


class FileListQuerySerializer(serializers.Serializer):
    context = serializers.ChoiceField(choices=UploadContext.choices, required=False)


class FileContentQuerySerializer(serializers.Serializer):
    size = serializers.CharField(required=False, max_length=50, help_text="A thumbnail name, e.g. small.")
