"""Product media URLs and uploads through the uploaded-files registry (``shop.files``).

``shop.files.services`` is written by the files team; until it is importable the URL
falls back to the storage URL of the stored key (public files only) and uploads are
refused with ``UPLOAD_FAILED``.
"""

from django.core.files.storage import storages


def _files_services():
    try:
        from shop.files import services
    except ImportError:  # pragma: no cover - transitional, until shop.files.services lands
        return None
    return services if hasattr(services, "file_url") else None


def media_url(file, *, size=None, request=None):
    if file is None:
        return None
    services = _files_services()
    if services is not None:
        return services.file_url(file=file, size=size, request=request)
    if not file.is_public:
        return None
    key = (file.thumbnails or {}).get(size) if size else None
    url = storages["default"].url(key or file.file)
    return request.build_absolute_uri(url) if request is not None and url.startswith("/") else url


def url_absolute(url, request):
    """``url`` on the request's origin when it is a path; full URLs (a CDN, S3) stay as they are."""
    return request.build_absolute_uri(url) if url and url.startswith("/") else url


def media_urls_mapped(payload, convert):
    """A ``serializers.media_payload`` (or None) with ``convert(url)`` in place of each of its URLs."""
    if payload is None:
        return None
    return {
        **payload,
        "url": convert(payload["url"]),
        "thumbnail": convert(payload["thumbnail"]),
        "thumbnails": {name: convert(url) for name, url in payload.get("thumbnails", {}).items()},
    }


def media_absolute(payload, request):
    """A ``serializers.media_payload`` (or None) with absolute URLs, for payloads cached without a request."""
    return media_urls_mapped(payload, lambda url: url_absolute(url, request))
