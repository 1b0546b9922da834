from rest_framework.renderers import JSONRenderer


class EnvelopeJSONRenderer(JSONRenderer):
    """Wraps every successful payload in ``{"status": "success", "data": ...}``.

    Responses built by the exception handler or the paginator are already in
    envelope form and carry ``response.enveloped = True``.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and not getattr(response, "enveloped", False):
            if response.status_code in (204, 304):
                return b""
            data = {"status": "success", "data": data}
        return super().render(data, accepted_media_type, renderer_context)
