"""Request-body parsers for the whole API: the body must be text PostgreSQL can store.

A NUL character (``\\x00``, JSON ``"\\u0000"``) or a lone surrogate (JSON ``"\\ud800"``) in any string
of a JSON body (keys too) or in a form field answers 400 ``VALIDATION_ERROR`` before a view runs.
DRF's ``CharField`` already refuses them, but free-form values (``DictField``, lookups built from
raw ``request.data``) reached the database, where psycopg raises ``DataError`` / ``UnicodeEncodeError``
(a 500). A JSON body must also be an object: every API input is one, and views that read
``request.data`` directly (``"email" in request.data``) failed on ``null``.

Uploaded file content is not checked (binary files contain NUL bytes).

JSON nested deeper than ``MAX_JSON_DEPTH`` arrays/objects answers 400 ``VALIDATION_ERROR`` before
``json.loads`` sees it: the decoder recurses once per level, so about 1,000 levels raised
``RecursionError`` (a 500) on every JSON endpoint, anonymous login included. The depth is counted
by a loop over the brackets outside strings, not by recursion.
"""

import re
from itertools import accumulate

from django.conf import settings
from django.utils.translation import gettext
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.utils import json

from skincare.api.text import bad_text_reason

MAX_JSON_DEPTH = 64
# A JSON string, escapes included (an unterminated one runs to the end: no rescans, linear time).
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


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


def json_depth_exceeds(text, limit=MAX_JSON_DEPTH):
    """True when arrays/objects in ``text`` nest deeper than ``limit`` (brackets in strings do not count)."""
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    if len(brackets) <= limit:
        return False
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets))) > limit


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(gettext("JSON parse error - %(detail)s") % {"detail": exc}) from exc
        if json_depth_exceeds(text):
            raise ValidationError(
                {
                    "body": [
                        gettext("JSON may nest arrays and objects at most %(max)d levels deep.")
                        % {"max": MAX_JSON_DEPTH}
                    ]
                }
            )
        try:
            data = json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except ValueError as exc:
            raise ParseError(gettext("JSON parse error - %(detail)s") % {"detail": exc}) from exc
        if not isinstance(data, dict):
            raise ValidationError(
                {
                    "non_field_errors": [
                        gettext("Invalid data. Expected a JSON object, but got %(type)s.")
                        % {"type": type(data).__name__}
                    ]
                }
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
