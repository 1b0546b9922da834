"""The schema endpoint: generated once per language and version, under a lock.

drf-spectacular loads its extension classes lazily while it generates, and two generations running
at once on a cold process race on that (``'NoneType' object has no attribute 'startswith'``): one
of several simultaneous first requests answered 500. The schema only changes with the code, so the
first request generates it and every later one is served from memory.
"""

import threading

from django.core.signals import setting_changed
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

_lock = threading.Lock()
_schemas = {}


def clear_schema_cache(**kwargs):
    """Forget the generated schemas (settings changed in a test: URLconf, spectacular settings)."""
    with _lock:
        _schemas.clear()


setting_changed.connect(clear_schema_cache)


class SchemaView(SpectacularAPIView):
    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version)
        with _lock:
            schema = _schemas.get(key)
            if schema is None:
                generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
                schema = _schemas[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=schema,
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )
