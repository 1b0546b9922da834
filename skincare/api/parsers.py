"""Request-body parsers for the whole API: the body must be text PostgreSQL can store.

A NUL character (``\\x00``, JSON ``"\\u0000"``) or a lone surrogate (JSON ``"\\ud800"``) in any string
of a JSON body (keys too) or in a form field answers 400 ``VALIDATION_ERROR`` before a view runs.
DRF's ``CharField`` already refuses them, but free-form values (``DictField``, lookups built from
raw ``request.data``) reached the database, where psycopg raises ``DataError`` / ``UnicodeEncodeError``
(a 500). A JSON body must also be an object: every API input is one, and views that read
``request.data`` directly (``"email" in request.data``) failed on ``null``.

Uploaded file content is not checked (binary files contain NUL bytes).
"""

from rest_framework import parsers
from rest_framework.exceptions import ValidationError

from skincare.api.text import bad_text_reason


def _check_form(data):
    for key, values in data.lists():
        _check(key, "body")
        for value in values:
            _check(value, key)


def _check(value, path="body"):
    if isinstance(value, str):
        reason = bad_text_reason(value)
        if reason:
            raise ValidationError({path: [reason]})
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, path)
            _check(item, str(key) if path == "body" else f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{path}.{index}")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ValidationError(
                {"non_field_errors": [f"Invalid data. Expected a JSON object, but got {type(data).__name__}."]}
            )
        _check(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _check_form(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        _check_form(result.data)
        for name, upload in result.files.items():  # the file name is stored; its content is not text
            _check(upload.name or "", name)
        return result
