"""Small helpers shared by the apps' views and forms."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError


def posted(request):
    """What a form is bound to: the posted data, or None to show it unbound on a GET."""
    return request.POST if request.method == "POST" else None


def wants_json(request) -> bool:
    """Whether the request asks for an answer in JSON first: the patient's phone sending a log
    it kept while offline does; a browser's own form post never does (it asks for HTML, with
    anything else last)."""
    accept = request.headers.get("Accept", "")
    return accept.split(",")[0].split(";")[0].strip() == "application/json"


def form_reasons(form, *, labels: bool = True) -> list[str]:
    """A bound form's errors as sentences that stand alone, each after its field's label
    (unless `labels` is False, for messages that say what they are about)."""
    reasons = [str(message) for message in form.non_field_errors()]
    for name, messages_ in form.errors.items():
        if name == "__all__":
            continue
        label = str(form.fields[name].label or "") if name in form.fields else ""
        lead = "" if not (labels and label) else label + (" " if label[-1:] in "?.!:" else ": ")
        reasons.extend(f"{lead}{message}" for message in messages_)
    return reasons


def flash_errors(request, error: ValidationError) -> None:
    """Show each message of a service's refusal at the top of the next page, for actions that
    are a button rather than a form of their own."""
    for message in error.messages:
        messages.error(request, message)


def flash_outcome[T](request, action: Callable[[], T], *, success: str) -> T | None:
    """Run a service for a button that has no form of its own and say at the top of the next
    page how it went: `success`, or each message of the refusal (then None is returned)."""
    try:
        result = action()
    except ValidationError as error:
        flash_errors(request, error)
        return None
    messages.success(request, success)
    return result


class ServiceErrorsMixin:
    def add_service_error(self, error: ValidationError) -> None:
        """Show a service's refusal next to the field it concerns, or above the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, field_messages in error.message_dict.items():
            self.add_error(name if name in self.fields else None, field_messages)
