"""Content negotiation without the parsing for the API's usual requests.

Every API view renders JSON with one renderer (``EnvelopeJSONRenderer``), yet DRF's
``DefaultContentNegotiation`` parsed the ``Accept`` header into media types and ranked them on every
request. When the view has that single JSON renderer, no format is asked for (suffix or ``?format=``)
and the client sent no ``Accept``, ``*/*`` or ``application/json``, the answer is known:
``application/json``, exactly what DRF's own negotiation returns for those. Anything else
(other renderers, other or parametrised media types, a 406) goes through DRF's negotiation.
"""

from rest_framework.negotiation import DefaultContentNegotiation

JSON = "application/json"
_PLAIN_ACCEPTS = frozenset({None, "*/*", JSON})


class JSONContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if (
            len(renderers) == 1
            and renderers[0].media_type == JSON
            and not format_suffix
            and request.META.get("HTTP_ACCEPT") in _PLAIN_ACCEPTS
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            return renderers[0], JSON
        return super().select_renderer(request, renderers, format_suffix)
