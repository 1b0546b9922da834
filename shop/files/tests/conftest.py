from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client


def _files_under(root):
    root = Path(root)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture
def stored_blobs():
    """Every blob on disk, public and private: ``stored_blobs()["public"]`` etc."""

    def collect():
        return {
            "public": _files_under(settings.MEDIA_ROOT),
            "private": _files_under(settings.PRIVATE_MEDIA_ROOT),
        }

    return collect


@pytest.fixture
def admin_session(staff_user):
    """A Django (session) client for the admin, logged in as the staff user with the files permissions."""
    from django.contrib.auth.models import Permission

    staff_user.user_permissions.set(Permission.objects.filter(content_type__app_label="files"))
    client = Client()
    client.force_login(staff_user)
    return client
