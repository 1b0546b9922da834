from shop.files.checks import private_storage_is_private


def test_default_storages_pass():
    assert private_storage_is_private(None) == []


def test_private_files_inside_media_root_are_an_error(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media" / "private")},
        },
    }

    assert [message.id for message in private_storage_is_private(None)] == ["files.E003"]


def test_private_storage_equal_to_public_is_an_error(settings):
    settings.STORAGES = {**settings.STORAGES, "private": settings.STORAGES["default"]}

    assert [message.id for message in private_storage_is_private(None)] == ["files.E002"]
