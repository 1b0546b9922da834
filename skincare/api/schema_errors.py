"""drf-spectacular post-processing: each operation's error responses, one per status it can answer,
with the ``code`` values of that status as an ``enum`` (``skincare.api.error_docs``)."""

import re
from http import HTTPStatus

from skincare.api.error_codes import ApiErrorCode
from skincare.api.error_docs import documented_error_codes


def _shape(path):
    return re.sub(r"\{[^}]*\}", "{}", path)  # the schema may rename path parameters ({pk} -> {id})


def _view_classes(generator):
    views = {}
    for path, _path_regex, method, callback in generator.endpoints or ():
        views[_shape(path), method.lower()] = getattr(callback, "cls", None)
    return views


def _error_response(status, codes):
    names = sorted(str(code) for code in codes)
    return {
        "description": f"{HTTPStatus(status).phrase}: " + ", ".join(f"`{name}`" for name in names) + ".",
        "content": {
            "application/json": {
                "schema": {
                    "allOf": [
                        {"$ref": "#/components/schemas/ErrorEnvelope"},
                        {
                            "type": "object",
                            "properties": {"code": {"type": "string", "enum": names}},
                        },
                    ]
                }
            }
        },
    }


def _answers_a_page(result, operation):
    """Whether the operation's 200 answer is a page: the paginator answers 404 ``NOT_FOUND`` for a ``?page=``
    the list does not have (``0``, past the last)."""
    body = operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
    ref = body.get("schema", {}).get("$ref", "")
    component = result.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
    return "meta" in component.get("required", ())


def _not_found_beside_the_view(result, path, operation):
    """``NOT_FOUND`` the view's own codes do not name: a path parameter the route does not take (``/goals/abc``
    for an integer id, ``ApiNotFoundMiddleware``'s enveloped 404) or a page the list does not have."""
    return "{" in path or _answers_a_page(result, operation)


def error_codes_postprocessing_hook(result, generator, request, public):
    views = _view_classes(generator)
    for path, path_item in result.get("paths", {}).items():
        for method, operation in path_item.items():
            view_class = views.get((_shape(path), method))
            if not isinstance(operation, dict) or view_class is None:
                continue
            by_status = {}
            for code in documented_error_codes(view_class, method):
                by_status.setdefault(code.status, []).append(code)
            if _not_found_beside_the_view(result, path, operation):
                found = by_status.setdefault(404, [])
                if not any(str(code) == ApiErrorCode.NOT_FOUND for code in found):
                    found.append(ApiErrorCode.NOT_FOUND)
            responses = operation.setdefault("responses", {})
            for status in [key for key in responses if str(key)[0] in "45"]:
                del responses[status]
            for status in sorted(by_status):
                responses[str(status)] = _error_response(status, by_status[status])
    return result
