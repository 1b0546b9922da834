"""Successful API answers checked against the published schema with openapi-core.

The root ``conftest.py`` wraps the test client with :func:`check_answer`: every 2xx answer to a GET
or POST under ``/api/v1/`` that any test receives is validated against the documented response of
its operation, so a field documented required but absent, a ``null`` where the schema does not
allow it, a wrong type or enum value fails the test that received it.
"""

import functools
import re

from drf_spectacular.generators import SchemaGenerator
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse
from werkzeug.datastructures import ImmutableMultiDict

CHECKED_METHODS = {"GET", "POST"}


class SchemaAnswers:
    def __init__(self):
        self.schema = SchemaGenerator().get_schema(request=None, public=True)
        # The schema itself is validated by skincare/tests/test_openapi.py; validating it again here
        # would cost a minute per test run.
        self.openapi = OpenAPI.from_dict(self.schema, config=Config(spec_validator_cls=None))
        self.templates = [
            (re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$"), path)
            for path in sorted(self.schema["paths"], key=lambda path: path.count("{"))
        ]
        self.checked = set()

    def template(self, path):
        """The schema path an URL answers for (literal segments win over parameters)."""
        return next((template for pattern, template in self.templates if pattern.match(path)), None)

    def check(self, response):
        request = getattr(response, "wsgi_request", None)
        if request is None or request.method not in CHECKED_METHODS or not 200 <= response.status_code < 300:
            return
        path = request.path.rstrip("/") or "/"
        if not path.startswith("/api/v1/") or getattr(response, "streaming", False):
            return
        template = self.template(path)
        if template is None:
            return  # a test-only view (skincare/tests/urls.py); real views are in the schema (test_openapi)
        content_type = response.headers.get("Content-Type", "application/json").split(";")[0]
        self.openapi.validate_response(
            MockRequest(
                host_url="http://testserver",
                method=request.method,
                path=path,
                args=ImmutableMultiDict([(key, value) for key, values in request.GET.lists() for value in values]),
                headers={},
                content_type=request.content_type or "application/json",
            ),
            MockResponse(
                # openapi-core parses JSON bodies itself; a text body (a CSV export) is checked as a string.
                data=response.content if content_type.endswith("json") else response.content.decode(response.charset),
                status_code=response.status_code,
                headers=dict(response.headers),
                content_type=content_type,
            ),
        )
        self.checked.add(f"{request.method} {template}")


@functools.cache
def schema_answers():
    return SchemaAnswers()


def check_answer(response):
    schema_answers().check(response)
    return response
