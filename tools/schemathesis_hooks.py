"""Schemathesis hooks for fuzzing the API (see docs/fuzzing.md).

Load with ``SCHEMATHESIS_HOOKS=tools.schemathesis_hooks`` (run from the repository root) and select
the check with ``-c not_a_server_error,api_envelope,...``. Schemathesis is a local tool, not a
project requirement.
"""

import json

import schemathesis


@schemathesis.check
def api_envelope(ctx, response, case):
    """Every JSON answer is in the envelope; every error is ``{"status": "error", "code", ...}``."""
    status = response.status_code
    if status == 204:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    if status < 400 and "json" not in content_type:
        return None  # binary downloads (file content) are not enveloped
    try:
        body = json.loads(response.content or b"")
    except ValueError as exc:
        raise AssertionError(f"{status} answer is not JSON ({content_type!r})") from exc
    if not isinstance(body, dict):
        raise AssertionError(f"{status} answer is not a JSON object")
    if status >= 400:
        if body.get("status") != "error" or not isinstance(body.get("code"), str):
            raise AssertionError(f"{status} error is not in the error envelope: {str(body)[:200]}")
        if not isinstance(body.get("message"), str) or not isinstance(body.get("errors"), dict):
            raise AssertionError(f"{status} error envelope lacks message/errors: {str(body)[:200]}")
    elif body.get("status") != "success" or "data" not in body:
        raise AssertionError(f"{status} success is not in the success envelope: {str(body)[:200]}")
    return None
