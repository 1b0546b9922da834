from django.urls import path

from shop.files import api
from shop.files.models import UploadContext

app_name = "files"

# Short URLs the mobile apps already use, each an upload in a fixed context.
UPLOAD_ALIASES = {
    "review-photo": UploadContext.REVIEW,
    "progress-photo": UploadContext.PROGRESS,
    "question-image": UploadContext.QA,
}

urlpatterns = [
    path("uploads/<str:context>", api.FileUploadView.as_view(), name="upload"),
    *[
        path(f"upload/{alias}", api.FileUploadAliasView.as_view(upload_context=context), name=f"upload-{alias}")
        for alias, context in UPLOAD_ALIASES.items()
    ],
    path("upload/profile-picture", api.ProfilePictureUploadAliasView.as_view(), name="upload-profile-picture"),
    path("files", api.FileListView.as_view(), name="file-list"),
    path("files/<uuid:public_id>", api.FileDetailView.as_view(), name="file-detail"),
    path("files/<uuid:public_id>/content", api.FileContentView.as_view(), name="file-content"),
    path("auth/profile/picture", api.ProfilePictureView.as_view(), name="profile-picture"),
]
