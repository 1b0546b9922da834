"""Reading an event's parts and the buffer cheaply: the session header straight from ``META``, and a drained
batch parsed as one JSON array. Same values as before."""

import json
from unittest import mock

import pytest
from django.test import RequestFactory

from ml import buffer, services, tracking

SESSION_HEADERS = [
    ({"HTTP_X_SESSION_ID": "sess-9"}, "sess-9"),
    ({"HTTP_X_SESSION_ID": "a" * 64}, "a" * 64),
    ({"HTTP_X_SESSION_ID": "a" * 65}, ""),
    ({"HTTP_X_SESSION_ID": "bad id"}, ""),
    ({"HTTP_X_SESSION_ID": "sess-1\n"}, "sess-1\n"),  # as before: the pattern's $ matches before a final newline
    ({"HTTP_X_SESSION_ID": ""}, ""),
    ({"HTTP_X_SESSIONID": "sess-2"}, ""),
    ({}, ""),
]


@pytest.mark.parametrize(("meta", "expected"), SESSION_HEADERS)
def test_the_session_header_is_the_x_session_id_header_when_valid(meta, expected):
    request = RequestFactory().get("/", **meta)
    assert tracking.session_header(request) == expected
    raw = request.headers.get("X-Session-Id", "")
    assert expected == (raw if tracking._SESSION.match(raw) else "")


def test_the_session_header_does_not_build_the_request_headers():
    request = RequestFactory().get("/", HTTP_X_SESSION_ID="sess-3", HTTP_USER_AGENT="agent")
    assert tracking.session_header(request) == "sess-3"
    assert "headers" not in request.__dict__  # a cached_property: built on first use only


EVENTS = [
    services.event_build(
        event_type="search",
        data={"search_id": f"s{n}", "query": query, "normalized_query": query.casefold(), "results_count": n},
        user_id=n or None,
        session_id="sess",
        device_info={"user_agent": 'quote " and \\ backslash', "ip_address": "10.0.0.0/24"},
        source="server",
    )
    for n, query in enumerate(["Vitamin C", "ស្រីស្អាត", "emoji \U0001f9f4", "a,b]", ""])
]


@pytest.mark.django_db
def test_a_drained_batch_is_the_events_pushed_in_order_parsed_once():
    buffer.drain(10**6)
    buffer.push(EVENTS[:2])
    buffer.push(encoded=buffer.encode(EVENTS[2:]))
    with mock.patch("ml.buffer.json.loads", wraps=json.loads) as loads:
        first, rest, empty = buffer.drain(3), buffer.drain(100), buffer.drain(100)
    assert first + rest == EVENTS
    assert len(first) == 3
    assert empty == []
    assert loads.call_count == 3  # one per drain, not one per event
