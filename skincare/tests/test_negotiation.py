"""``JSONContentNegotiation``: DRF's answer for every Accept header, without parsing the usual ones."""

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from skincare.api.negotiation import JSONContentNegotiation
from skincare.api.renderers import EnvelopeJSONRenderer

ACCEPTS = [None, "*/*", "application/json", "application/*", "application/json; indent=4", "text/html", ""]


def select(negotiation, accept, renderers, query="", suffix=None):
    extra = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(f"/api/v1/products{query}", **extra))
    try:
        renderer, media_type = negotiation.select_renderer(request, renderers, suffix)
    except Exception as exc:  # noqa: BLE001 - the 406 must be the same too
        return type(exc).__name__
    return type(renderer).__name__, media_type


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("query", ["", "?format=json", "?format=api"])
@pytest.mark.parametrize(
    "renderers", [[EnvelopeJSONRenderer()], [JSONRenderer(), BrowsableAPIRenderer()]], ids=["envelope", "two"]
)
def test_same_answer_as_drf(accept, query, renderers):
    assert select(JSONContentNegotiation(), accept, renderers, query) == select(
        DefaultContentNegotiation(), accept, renderers, query
    )


def test_plain_json_requests_skip_the_parsing(monkeypatch):
    calls = []
    monkeypatch.setattr(DefaultContentNegotiation, "_get_parsed_accept_list", lambda self, r: calls.append(r) or [])
    for accept in (None, "*/*", "application/json"):
        assert select(JSONContentNegotiation(), accept, [EnvelopeJSONRenderer()]) == (
            "EnvelopeJSONRenderer",
            "application/json",
        )
    assert calls == []


@pytest.mark.django_db
def test_the_api_answers_json_and_406_as_before(api_client):
    for accept in ("application/json", "*/*"):
        response = api_client.get("/api/v1/categories", HTTP_ACCEPT=accept)
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
    response = api_client.get("/api/v1/categories", HTTP_ACCEPT="text/html")
    assert response.status_code == 406 and response.json()["status"] == "error"
