from lib.limits import Limit


def limited(limit: Limit, **kwargs) -> dict:
    """A serializer field's arguments for a whole number with the project's limit: the range
    documented in the schema, and the limit's own sentence for any value outside it, the one
    the pages show."""
    message = limit.message
    return {
        "min_value": limit.minimum,
        "max_value": limit.maximum,
        "error_messages": {
            "invalid": message,
            "min_value": message,
            "max_value": message,
            "max_string_length": message,
        },
        **kwargs,
    }
