"""Additions to the generated OpenAPI schema: the problem-details answer every operation may
give, so clients (and the fuzzing in the tests) know each status code the API can answer."""

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What went wrong, in a sentence or two."},
        "instance": {"type": "string", "description": "The path that was called."},
        "errors": {
            "type": "array",
            "description": "For refused input: each refusal, with the field it is about.",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "detail": {"type": "string"}},
                "required": ["detail"],
            },
        },
        "matches": {
            "type": "array",
            "items": {"type": "integer"},
            "description": "For a possible duplicate patient: the ids of the records it matches.",
        },
    },
    "required": ["type", "title", "status", "detail", "instance"],
}

ANSWERS = {
    "400": "The input was refused; `errors` says why, field by field.",
    "401": "No key, or a key that is unknown or revoked.",
    "403": "The key may not do this (a read-only key writing).",
    "404": "No such record in the key's clinic.",
    "409": "The record has changed, or the change conflicts with its state.",
    "429": "Too many calls with this key; wait as Retry-After says.",
}
WRITE_ONLY = {"409"}
WRITES = {"post", "put", "patch", "delete"}


def problem_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM
    reference = {"$ref": "#/components/schemas/Problem"}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            if not operation.get("security", [{}]) and method == "get":
                continue
            for code, description in ANSWERS.items():
                if code in WRITE_ONLY and method not in WRITES:
                    continue
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/problem+json": {"schema": reference}},
                    },
                )
    return result


def fhir_operation_paths(result, generator, request, public):
    """The schema generator reads `$` in a route as the regular expression's end and drops it;
    FHIR's operations are named with it (`$everything`), so it is put back."""
    paths = result.get("paths", {})
    for path in list(paths):
        if path.startswith("/api/fhir/") and path.endswith("/everything"):
            paths[path.removesuffix("everything") + "$everything"] = paths.pop(path)
    return result
