"""Errors as RFC 9457 problem details (`application/problem+json`): `type`, `title`, `status`,
`detail` and `instance`, and for refused input an `errors` list of `{"field", "detail"}` whose
sentences are the same the pages show. A rule a service enforces (dose limits, dates, the
plan's version) answers like a malformed field does: the service's own message."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_JSON = "application/problem+json"
BASE = "urn:rehabit:problem:"

# Service refusals that are about the state of a record rather than the input: 409 Conflict.
CONFLICT_CODES = {"stale", "duplicate", "plan_closed", "invalid_transition", "too_late"}
# Refusals about who is asking (a shared record no clinic changes, a staff member who is not
# the clinic's admin): 403 Forbidden, since sending the same input again cannot succeed.
FORBIDDEN_CODES = {"shared", "not_admin"}

TITLES = {
    400: "Invalid input",
    401: "Not signed in with a valid key",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict with the record's current state",
    415: "Unsupported media type",
    429: "Too many requests",
}


def _errors(detail, field: str | None = None) -> list[dict]:
    if isinstance(detail, dict):
        found = []
        for name, value in detail.items():
            if isinstance(name, int) or str(name).isdigit():
                # DRF keys the errors of a list's rows by their index.
                inner = f"{field or ''}[{name}]"
            else:
                inner = name if field is None else f"{field}.{name}"
            general = name in ("non_field_errors", "__all__") and field is None
            found.extend(_errors(value, None if general else inner))
        return found
    if isinstance(detail, list):
        found = []
        for index, value in enumerate(detail):
            if isinstance(value, dict | list):
                found.extend(_errors(value, f"{field}[{index}]" if field else f"[{index}]"))
            else:
                found.extend(_errors(value, field))
        return found
    entry = {"detail": str(detail)}
    if field:
        entry["field"] = field
    return [entry]


def _codes(error: DjangoValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {item.code for items in error.error_dict.values() for item in items if item.code}
    return {item.code for item in error.error_list if item.code}


def problem(status_code: int, *, detail: str, instance: str, kind: str = "", errors=None):
    body = {
        "type": BASE + kind if kind else "about:blank",
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
        "instance": instance,
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, content_type=PROBLEM_JSON)


def handler(exc, context):
    request = context["request"]
    instance = request.get_full_path()
    if isinstance(exc, DjangoValidationError):
        errors = _errors(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
        codes = _codes(exc)
        conflict, forbidden = codes & CONFLICT_CODES, codes & FORBIDDEN_CODES
        if forbidden:
            code, kind = status.HTTP_403_FORBIDDEN, sorted(forbidden)[0]
        elif conflict:
            code, kind = status.HTTP_409_CONFLICT, sorted(conflict)[0]
        else:
            code, kind = status.HTTP_400_BAD_REQUEST, "invalid-input"
        answer = problem(
            code,
            detail=" ".join(entry["detail"] for entry in errors),
            instance=instance,
            kind=kind,
            errors=None if forbidden else errors,
        )
        # A possible duplicate patient: the records it matches, so the caller can link them.
        if getattr(exc, "matches", None):
            answer.data["matches"] = [record.pk for record in exc.matches]
        return answer
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _errors(exc.detail)
        body = problem(
            response.status_code,
            detail="The request was not accepted: " + " ".join(e["detail"] for e in errors),
            instance=instance,
            kind="invalid-input",
            errors=errors,
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        body = problem(response.status_code, detail=str(detail), instance=instance)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            body[header] = response[header]
    return body
