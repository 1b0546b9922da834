"""System checks: private files must never be reachable through a public URL."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.files.storage import storages

from shop.files.models import PRIVATE_STORAGE, PUBLIC_STORAGE


@register(Tags.security)
def private_storage_is_private(app_configs, **kwargs):
    configured = settings.STORAGES
    if PRIVATE_STORAGE not in configured:
        return [Error('STORAGES has no "private" entry.', id="files.E001")]
    if configured[PRIVATE_STORAGE] == configured.get(PUBLIC_STORAGE):
        return [Error('STORAGES["private"] is the same as STORAGES["default"].', id="files.E002")]
    messages = []
    private = storages[PRIVATE_STORAGE]
    location = getattr(private, "location", None)
    if location and configured[PRIVATE_STORAGE]["BACKEND"].endswith("FileSystemStorage"):
        private_root = Path(location).resolve()
        media_root = Path(settings.MEDIA_ROOT).resolve()
        if private_root == media_root or media_root in private_root.parents:
            messages.append(
                Error(
                    "Private files are stored inside MEDIA_ROOT, which is served publicly.",
                    hint="Point PRIVATE_MEDIA_ROOT outside MEDIA_ROOT.",
                    id="files.E003",
                )
            )
    options = configured[PRIVATE_STORAGE].get("OPTIONS", {})
    if configured[PRIVATE_STORAGE]["BACKEND"].startswith("storages.backends.s3") and (
        options.get("default_acl") not in (None, "private") or options.get("querystring_auth") is False
    ):
        messages.append(
            Warning(
                'STORAGES["private"] uses a public ACL or unsigned URLs.',
                hint='Use default_acl="private" and querystring_auth=True.',
                id="files.W001",
            )
        )
    return messages
