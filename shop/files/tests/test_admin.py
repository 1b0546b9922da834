import pytest
from django.urls import reverse

from shop.files import services
from shop.files.models import FileStatus, FileUploadConfig, UploadedFile
from shop.files.tests.factories import jpeg_bytes, mp4_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def some_files(user):
    public = services.file_upload(owner=user, context="review", uploads=[upload(jpeg_bytes((400, 400)))])[0]
    private = services.file_upload(owner=user, context="progress", uploads=[upload(jpeg_bytes((400, 400)))])[0]
    video = services.file_upload(owner=user, context="qa", uploads=[upload(mp4_bytes(), "clip.mp4")])[0]
    return public, private, video


def test_config_changelist_shows_the_limits(admin_session):
    response = admin_session.get(reverse("admin:files_fileuploadconfig_changelist"))

    assert response.status_code == 200
    content = response.content.decode()
    for text in ("Profile", "Product", "Review", "Progress", "Q&amp;A", "5 MB", "300 x 300", "3000 x 3000", "200 MB"):
        assert text in content


def test_config_change_form_saves_and_validates(admin_session):
    config = FileUploadConfig.objects.get(context="qa")
    url = reverse("admin:files_fileuploadconfig_change", args=[config.pk])
    assert admin_session.get(url).status_code == 200
    form = {
        "context": "qa",
        "description": config.description,
        "storage_path": "uploads/qa/",
        "max_file_size": 1000,
        "allowed_mime_types": '["image/jpeg"]',
        "allowed_extensions": '["jpg"]',
        "max_files_per_upload": 1,
        "min_width": "",
        "min_height": "",
        "max_width": 100,
        "max_height": 100,
        "compression_quality": 70,
        "create_thumbnails": "on",
        "thumbnail_sizes": '{"small": [50, 50]}',
        "max_files_per_user": 2,
        "max_total_size_per_user": "",
        "is_public": "on",
    }

    saved = admin_session.post(url, form)
    refused = admin_session.post(url, {**form, "thumbnail_sizes": '{"small": "big"}'})

    assert saved.status_code == 302
    config.refresh_from_db()
    assert (config.max_file_size, config.thumbnail_sizes, config.max_width) == (1000, {"small": [50, 50]}, 100)
    assert refused.status_code == 200
    assert "An object of name -&gt; [width, height]" in refused.content.decode()


def test_uploaded_file_changelist_with_previews_and_filters(admin_session, some_files, user):
    public, private, _video = some_files
    url = reverse("admin:files_uploadedfile_changelist")

    response = admin_session.get(url)

    assert response.status_code == 200
    content = response.content.decode()
    assert f'src="/media/{public.thumbnails["thumbnail"]}"' in content
    assert f'src="/api/v1/files/{private.public_id}/content?size=thumbnail"' in content
    for query in (
        {"context": "review"},
        {"status__exact": "active"},
        {"media_type__exact": "video"},
        {"is_public__exact": "0"},
        {"is_temporary__exact": "1"},
        {"q": user.email},
        {"q": "clip.mp4"},
    ):
        assert admin_session.get(url, query).status_code == 200, query


def test_uploaded_file_search_by_owner_email(admin_session, some_files, other_user):
    url = reverse("admin:files_uploadedfile_changelist")
    services.file_upload(owner=other_user, context="review", uploads=[upload(jpeg_bytes((400, 400)), "theirs.jpg")])

    response = admin_session.get(url, {"q": other_user.email})

    assert response.context["cl"].result_count == 1


def test_uploaded_file_change_page_loads(admin_session, some_files):
    for file in some_files:
        response = admin_session.get(reverse("admin:files_uploadedfile_change", args=[file.pk]))
        assert response.status_code == 200


def test_soft_delete_action(admin_session, some_files, user):
    public, private, video = some_files

    response = admin_session.post(
        reverse("admin:files_uploadedfile_changelist"),
        {"action": "soft_delete", "_selected_action": [public.pk, private.pk]},
    )

    assert response.status_code == 302
    assert dict(UploadedFile.objects.values_list("pk", "status")) == {
        public.pk: FileStatus.DELETED,
        private.pk: FileStatus.DELETED,
        video.pk: FileStatus.ACTIVE,
    }
    user.refresh_from_db()
    assert (user.files_uploaded, user.storage_used) == (1, video.size)
