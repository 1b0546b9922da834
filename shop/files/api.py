"""HTTP layer of the file registry: parse, call a service or selector, serialize."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.core.files.storage import storages
from django.http import FileResponse
from django.utils.translation import gettext
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from shop.files import error_codes
from shop.files.error_codes import UPLOAD_REFUSALS, FileErrorCode
from shop.files.inspection import MIME_BY_EXTENSION, split_extension
from shop.files.models import UploadContext, UploadedFile
from shop.files.selectors import file_get_owned, file_get_visible, file_list_for_owner
from shop.files.serializers import (
    FileContentQuerySerializer,
    FileUploadRequestSerializer,
    ProfilePictureAliasRequestSerializer,
    ProfilePictureRequestSerializer,
    UploadedFileSerializer,
)
from shop.files.services import (
    file_delete,
    file_upload,
    profile_picture_remove,
    profile_picture_set,
    upload_check_allowed,
)
from skincare.api import error_codes as api_error_codes
from skincare.api.error_codes import ApiErrorCode
from skincare.api.error_docs import raises
from skincare.api.parsers import FormParser, JSONParser, MultiPartParser
from skincare.errors import ApplicationError

MULTIPART_SLACK = 256 * 1024  # part headers and the small form fields around the files
UPLOAD_ERRORS = ", ".join(f"{code} ({code.status})" for code in UPLOAD_REFUSALS) + ", PAYLOAD_TOO_LARGE (413)"


TOO_LARGE_RESPONSE = OpenApiResponse(
    response={"$ref": "#/components/schemas/ErrorEnvelope"},
    description="FILE_TOO_LARGE (a file over the context's limit) or PAYLOAD_TOO_LARGE (the request body).",
)


def _not_found():
    return ApplicationError(api_error_codes.NOT_FOUND, gettext("File not found."))


def _content_length(request):
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except (TypeError, ValueError):
        return 0


def _reject_oversized_body(request, config=None):
    """Refuse a too-large body from its Content-Length, before Django spools it to disk."""
    length = _content_length(request)
    if length > settings.UPLOAD_MAX_REQUEST_BYTES:
        raise ApplicationError(api_error_codes.PAYLOAD_TOO_LARGE, gettext("The request body is too large."))
    if config is not None and length > config.max_file_size * config.max_files_per_upload + MULTIPART_SLACK:
        raise ApplicationError(
            error_codes.FILE_TOO_LARGE,
            gettext("The upload is larger than this context allows."),
            errors={"files": [gettext("The upload is larger than this context allows.")]},
        )


def _request_data(request):
    try:
        return request.data
    except RequestDataTooBig as exc:
        raise ApplicationError(api_error_codes.PAYLOAD_TOO_LARGE, gettext("The request body is too large.")) from exc
    except TooManyFilesSent as exc:
        raise ApplicationError(error_codes.TOO_MANY_FILES, gettext("Too many files in one request.")) from exc


def _serialize(files, request, many=False):
    return UploadedFileSerializer(files, many=many, context={"request": request}).data


class UploadThrottleMixin:
    throttle_classes = [UserRateThrottle, ScopedRateThrottle]
    throttle_scope = "upload"
    parser_classes = [MultiPartParser, FormParser, JSONParser]


class _BaseUploadView(UploadThrottleMixin, APIView):
    permission_classes = [IsAuthenticated]

    def _upload(self, request, context):
        _reject_oversized_body(request)
        config = upload_check_allowed(owner=request.user, context=context)
        _reject_oversized_body(request, config)
        serializer = FileUploadRequestSerializer(data=_request_data(request))
        serializer.is_valid(raise_exception=True)
        files = file_upload(
            owner=request.user,
            context=context,
            uploads=serializer.validated_data["files"],
            private=serializer.validated_data.get("private"),
            temporary=serializer.validated_data["temporary"],
        )
        return Response(_serialize(files, request, many=True), status=status.HTTP_201_CREATED)


_UPLOAD_DESCRIPTION = (
    "Multipart upload of one or more files in the `files` field. Every file is validated (type from the "
    "content, extension, size, dimensions, quotas) before any is stored; images are re-encoded without "
    "metadata and get thumbnails. Re-uploading the same bytes returns the existing file. "
    f"Error codes: {UPLOAD_ERRORS}."
)


class FileUploadView(_BaseUploadView):
    @raises(*UPLOAD_REFUSALS)
    @extend_schema(
        operation_id="files_upload",
        summary="Upload files in a context",
        description=_UPLOAD_DESCRIPTION,
        tags=["files"],
        parameters=[
            OpenApiParameter("context", str, OpenApiParameter.PATH, enum=UploadContext.values),
        ],
        request={"multipart/form-data": FileUploadRequestSerializer},
        responses={201: UploadedFileSerializer(many=True), 413: TOO_LARGE_RESPONSE},
    )
    def post(self, request, context):
        return self._upload(request, context)


class FileUploadAliasView(_BaseUploadView):
    """``upload/review-photo`` and friends: the same upload with the context fixed by the URL."""

    upload_context = None

    @raises(*UPLOAD_REFUSALS)
    @extend_schema(
        summary="Upload files (fixed context)",
        description=_UPLOAD_DESCRIPTION,
        tags=["files"],
        request={"multipart/form-data": FileUploadRequestSerializer},
        responses={201: UploadedFileSerializer(many=True), 413: TOO_LARGE_RESPONSE},
    )
    def post(self, request):
        return self._upload(request, self.upload_context)


class FileListView(generics.ListAPIView):
    serializer_class = UploadedFileSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["context", "media_type"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return UploadedFile.objects.none()
        return file_list_for_owner(owner=self.request.user)

    @raises()
    @extend_schema(summary="List my files", tags=["files"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class FileDetailView(APIView):
    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @raises(ApiErrorCode.NOT_FOUND)
    @extend_schema(
        summary="File metadata",
        description="Public files to anyone; private files to their owner and staff (404 for everyone else).",
        tags=["files"],
        responses={200: UploadedFileSerializer},
    )
    def get(self, request, public_id):
        file = file_get_visible(public_id=public_id, user=request.user)
        if file is None:
            raise _not_found()
        return Response(_serialize(file, request))

    @raises(ApiErrorCode.NOT_FOUND)
    @extend_schema(
        summary="Delete my file",
        description="Soft delete; the blobs are removed by the cleanup job. Other users' files answer 404.",
        tags=["files"],
        responses={204: None},
    )
    def delete(self, request, public_id):
        file = file_get_owned(public_id=public_id, owner=request.user)
        if file is None:
            raise _not_found()
        file_delete(file=file)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _FirstRendererNegotiation(BaseContentNegotiation):
    """The content view answers with bytes whatever ``Accept`` says; errors stay JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class FileContentView(APIView):
    permission_classes = [AllowAny]
    content_negotiation_class = _FirstRendererNegotiation

    @raises(ApiErrorCode.NOT_FOUND)
    @extend_schema(
        summary="File content",
        description=(
            "Streams the file (or the thumbnail named by `size`). Private files only to their owner and "
            "staff; everyone else gets 404."
        ),
        tags=["files"],
        parameters=[FileContentQuerySerializer],
        responses={200: OpenApiResponse(description="The file bytes, with its own Content-Type.")},
    )
    def get(self, request, public_id):
        query = FileContentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        file = file_get_visible(public_id=public_id, user=request.user)
        if file is None:
            raise _not_found()
        size = query.validated_data.get("size")
        key, mime, filename = file.file, file.mime_type, file.original_filename
        if size:
            if size not in file.thumbnails:
                message = gettext("Unknown size. Available: %(sizes)s.") % {
                    "sizes": ", ".join(sorted(file.thumbnails)) or "none"
                }
                raise ApplicationError(api_error_codes.VALIDATION_ERROR, message, errors={"size": [message]})
            key = file.thumbnails[size]
            extension = split_extension(key)
            mime = MIME_BY_EXTENSION.get(extension, "application/octet-stream")
            stem = filename.rsplit(".", 1)[0] if "." in filename else filename
            filename = f"{stem}_{size}.{extension}"
        try:
            blob = storages[file.storage_alias].open(key, "rb")
        except (OSError, ValueError) as exc:
            raise _not_found() from exc
        response = FileResponse(blob, content_type=mime, filename=filename)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        response["Cache-Control"] = "public, max-age=86400" if file.is_public else "private, no-store"
        return response


def _set_profile_picture(request, serializer_class):
    _reject_oversized_body(request)
    config = upload_check_allowed(owner=request.user, context=UploadContext.PROFILE)
    _reject_oversized_body(request, config)
    serializer = serializer_class(data=_request_data(request))
    serializer.is_valid(raise_exception=True)
    picture = profile_picture_set(user=request.user, upload=serializer.validated_data["file"])
    return Response(_serialize(picture, request), status=status.HTTP_201_CREATED)


class ProfilePictureUploadAliasView(UploadThrottleMixin, APIView):
    """The seed's ``upload/profile-picture``: sets the picture like ``POST auth/profile/picture``."""

    permission_classes = [IsAuthenticated]

    @raises(*UPLOAD_REFUSALS, FileErrorCode.FILE_NOT_AVAILABLE)
    @extend_schema(
        summary="Set my profile picture (short URL)",
        description="Same as `POST auth/profile/picture`: the picture is uploaded, becomes the profile picture and "
        f"the previous one is deleted. Multipart field `file` (or one file in `files`). Errors: {UPLOAD_ERRORS}.",
        tags=["files"],
        request={"multipart/form-data": ProfilePictureAliasRequestSerializer},
        responses={201: UploadedFileSerializer, 413: TOO_LARGE_RESPONSE},
    )
    def post(self, request):
        return _set_profile_picture(request, ProfilePictureAliasRequestSerializer)


class ProfilePictureView(UploadThrottleMixin, APIView):
    permission_classes = [IsAuthenticated]

    def get_throttles(self):
        # Only changing the picture counts against the upload rate.
        if self.request.method == "POST":
            return super().get_throttles()
        return [throttle() for throttle in api_settings.DEFAULT_THROTTLE_CLASSES]

    @raises()
    @extend_schema(
        summary="My profile picture",
        tags=["files"],
        responses={
            200: OpenApiResponse(
                {"oneOf": [{"$ref": "#/components/schemas/UploadedFile"}, {"type": "null"}]},  # OAS 3.1 null
                description="The picture, or null.",
            )
        },
    )
    def get(self, request):
        picture = request.user.profile_picture
        visible = picture is not None and file_get_visible(public_id=picture.public_id, user=request.user)
        return Response(_serialize(picture, request) if visible else None)

    @raises(*UPLOAD_REFUSALS, FileErrorCode.FILE_NOT_AVAILABLE)
    @extend_schema(
        summary="Set my profile picture",
        description=f"Multipart field `file`. Replaces (and deletes) the previous picture. Errors: {UPLOAD_ERRORS}.",
        tags=["files"],
        request={"multipart/form-data": ProfilePictureRequestSerializer},
        responses={201: UploadedFileSerializer, 413: TOO_LARGE_RESPONSE},
    )
    def post(self, request):
        return _set_profile_picture(request, ProfilePictureRequestSerializer)

    @raises()
    @extend_schema(summary="Remove my profile picture", tags=["files"], responses={204: None})
    def delete(self, request):
        profile_picture_remove(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
