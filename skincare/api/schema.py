"""drf-spectacular post-processing: document the response envelope on every operation."""

ERROR_STATUSES = {
    "400": "Invalid input (VALIDATION_ERROR or a business-rule code).",
    "401": "Not authenticated or token invalid.",
    "403": "Not allowed.",
    "404": "Not found.",
    "429": "Too many requests.",
}
# Business rules answer 409 (already voted, order not payable, category in use, ...) on writes.
WRITE_ERROR_STATUSES = {"409": "Conflicts with the current state (a business-rule code)."}
WRITE_METHODS = {"post", "put", "patch", "delete"}

ERROR_ENVELOPE = {
    "type": "object",
    "required": ["status", "code", "message", "errors"],
    "properties": {
        "status": {"type": "string", "enum": ["error"]},
        "code": {"type": "string", "example": "VALIDATION_ERROR"},
        "message": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Field -> messages. A list or nested field keeps its shape: "
            '`{"ids": {"0": ["A valid integer is required."]}}`, `{"photos": [{}, {"file": ["..."]}]}`.',
            "additionalProperties": {
                "oneOf": [
                    {"type": "array", "items": {"oneOf": [{"type": "string"}, {"type": "object"}]}},
                    {"type": "object"},
                ]
            },
        },
    },
}

PAGE_META = {
    "type": "object",
    "required": ["page", "per_page", "total", "total_pages"],
    "properties": {
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "total": {"type": "integer"},
        "total_pages": {"type": "integer"},
    },
}


def _resolve(schema, components):
    if isinstance(schema, dict) and "$ref" in schema:
        return components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return schema if isinstance(schema, dict) else {}


def _is_enveloped(schema, components):
    props = _resolve(schema, components).get("properties", {})
    # Only the envelope's own "status" (enum success/error): a resource may have status and code fields too.
    return _resolve(props.get("status"), components).get("enum") in (["success"], ["error"])


def envelope_postprocessing_hook(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorEnvelope"] = ERROR_ENVELOPE
    components["PageMeta"] = PAGE_META
    error_ref = {"$ref": "#/components/schemas/ErrorEnvelope"}

    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, response in list(responses.items()):
                if not str(code).startswith("2"):
                    continue
                for media_type, media in response.get("content", {}).items():
                    if not media_type.endswith("json"):
                        continue  # a file (CSV export, image): the body itself, not the envelope
                    schema = media.get("schema")
                    if schema is not None and not _is_enveloped(schema, components):
                        media["schema"] = {
                            "type": "object",
                            "required": ["status", "data"],
                            "properties": {"status": {"type": "string", "enum": ["success"]}, "data": schema},
                        }
            errors = dict(ERROR_STATUSES)
            if method in WRITE_METHODS:
                errors.update(WRITE_ERROR_STATUSES)
            for code, description in errors.items():
                responses.setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": error_ref}}}
                )
    return result


# ``/products/{product_id}/...`` (shop.catalog.converters) and the detail ``/products/{lookup}``
# take the product's numeric id or its slug.
PRODUCT_REF_PARAMETERS = {"product_id", "lookup"}
PRODUCT_REF_SCHEMA = {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$", "examples": ["42", "hydrating-serum"]}
PRODUCT_REF_DESCRIPTION = (
    "The product's numeric id (`42`) or its slug (`hydrating-serum`); both address the same product. "
    "An unknown id or slug answers 404."
)


def product_ref_postprocessing_hook(result, generator, request, public):
    for url, path_item in result.get("paths", {}).items():
        if not url.startswith("/api/v1/products/{"):
            continue
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "path" and parameter.get("name") in PRODUCT_REF_PARAMETERS:
                    parameter["schema"] = dict(PRODUCT_REF_SCHEMA)
                    parameter["description"] = PRODUCT_REF_DESCRIPTION
    return result
