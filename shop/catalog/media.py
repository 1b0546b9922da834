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


def media_payload(media, *, request=None):
    """A product image: the original, every thumbnail by size name, and ``thumbnail`` (the small one).

    Cached payloads are built without a request (relative URLs where the storage gives them);
    views pass them through ``media_absolute`` before answering.
    """
    file = media.file
    return {
        "id": media.id,
        "url": media_url(file, request=request),
        "thumbnail": media_url(file, size="small", request=request),
        "thumbnails": {name: media_url(file, size=name, request=request) for name in sorted(file.thumbnails or {})},
        "width": file.width,
        "height": file.height,
        "alt_text": media.alt_text,
        "alt_text_km": media.alt_text_km,
        "sort_order": media.sort_order,
        "is_primary": media.is_primary,
    }


def url_absolute(url, request):
    """``url`` on the request's origin when it is a path; full URLs (a CDN, S3) stay as they are."""
    return request.build_absolute_uri(url) if url and url.startswith("/") else url


def media_absolute(payload, request):
    """A ``media_payload`` (or None) with absolute URLs, for payloads cached without a request."""
    if payload is None:
        return None
    return {
        **payload,
        "url": url_absolute(payload["url"], request),
        "thumbnail": url_absolute(payload["thumbnail"], request),
        "thumbnails": {name: url_absolute(url, request) for name, url in payload.get("thumbnails", {}).items()},
    }
