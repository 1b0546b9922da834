"""Content in the request's language: a field ``X`` with a sibling ``X_km`` answers in Khmer.

Catalog rows carry their Khmer texts beside the English ones (``name``/``name_km``,
``description``/``description_km``, ``alt_text``/``alt_text_km``, order lines'
``product_name``/``product_name_km``...). Every payload that shows one keeps both, so cached
payloads serve both languages; the renderer then answers ``X`` with ``X_km`` for a Khmer
request (``Accept-Language: km``) when the Khmer text is not empty, and
leaves the English text where it is. ``X_km`` stays in the answer, so a client can always tell.

Staff editing endpoints set ``localized_content = False``: what they show is what is stored.
"""

from django.utils import translation

KHMER = "km"
SUFFIX = "_" + KHMER


def content_language_is_khmer():
    return (translation.get_language() or "").split("-")[0] == KHMER


def content_localized(data):
    """A copy of ``data`` with every non-empty ``X_km`` also answered as ``X`` (input is not changed)."""
    if isinstance(data, list):
        return [content_localized(item) for item in data]
    if not isinstance(data, dict):
        return data
    localized = {key: content_localized(value) for key, value in data.items()}
    for key, value in data.items():
        if isinstance(key, str) and key.endswith(SUFFIX) and value and isinstance(value, str):
            base = key[: -len(SUFFIX)]
            if base in data:
                localized[base] = value
    return localized
