from rest_framework.renderers import JSONRenderer

from skincare.api.content_language import content_language_is_khmer, content_localized


class EnvelopeJSONRenderer(JSONRenderer):
    """Wraps every successful payload in ``{"status": "success", "data": ...}``.

    Responses built by the exception handler or the paginator are already in
    envelope form and carry ``response.enveloped = True``. Khmer requests get the Khmer
    content fields (``skincare.api.content_language``).
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and not getattr(response, "enveloped", False):
            if response.status_code in (204, 304):
                return b""
            data = {"status": "success", "data": data}
        view = (renderer_context or {}).get("view")
        success = response is None or response.status_code < 400
        if success and content_language_is_khmer() and getattr(view, "localized_content", True):
            data = content_localized(data)
        return super().render(data, accepted_media_type, renderer_context)
