"""drf-spectacular post-processing: document the response envelope on every operation."""

ERROR_STATUSES = {
    "400": "Invalid input (VALIDATION_ERROR or a business-rule code).",
    "401": "Not authenticated or token invalid.",
    "403": "Not allowed.",
    "404": "Not found.",
    "429": "Too many requests.",
}

ERROR_ENVELOPE = {
    "type": "object",
    "required": ["status", "code", "message", "errors"],
    "properties": {
        "status": {"type": "string", "enum": ["error"]},
        "code": {"type": "string", "example": "VALIDATION_ERROR"},
        "message": {"type": "string"},
        "errors": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
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


def _is_enveloped(schema, components):
    if isinstance(schema, dict) and "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    props = schema.get("properties", {}) if isinstance(schema, dict) else {}
    return "status" in props and ("data" in props or "code" in props)


def envelope_postprocessing_hook(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorEnvelope"] = ERROR_ENVELOPE
    components["PageMeta"] = PAGE_META
    error_ref = {"$ref": "#/components/schemas/ErrorEnvelope"}

    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, response in list(responses.items()):
                if not str(code).startswith("2"):
                    continue
                for media in response.get("content", {}).values():
                    schema = media.get("schema")
                    if schema is not None and not _is_enveloped(schema, components):
                        media["schema"] = {
                            "type": "object",
                            "required": ["status", "data"],
                            "properties": {"status": {"type": "string", "enum": ["success"]}, "data": schema},
                        }
            for code, description in ERROR_STATUSES.items():
                responses.setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": error_ref}}}
                )
    return result
