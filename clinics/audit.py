"""Writing the audit trail: `record` adds one AuditEvent, taking who and from which address from
the request being served; `record_many` adds several in one query, for a page that shows many
patients at once (the caseload, a list in the site admin).

`AuditOriginMiddleware` keeps the current request in a context variable, so a service can call
`record` inside its own transaction (the row then commits or rolls back with the change) without
every service taking a request argument. Sign-ins, failed sign-ins and sign-outs come from
Django's auth signals, connected in `ClinicsConfig.ready`.

A row says what happened, never the clinical content: no pain scores, notes or passwords, and
plans, sessions and reports are named by number.
"""

import ipaddress
from contextvars import ContextVar

from django.conf import settings
from django.utils.translation import gettext as _

from .models import AuditAction, AuditEvent, Clinic, User

USER_AGENT_MAX_LENGTH = AuditEvent._meta.get_field("user_agent").max_length
SUMMARY_MAX_LENGTH = AuditEvent._meta.get_field("summary").max_length

_current_request: ContextVar = ContextVar("rehabit_audit_request", default=None)


class AuditOriginMiddleware:
    """Make the request being served known to `record`, wherever it is called from."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def client_address(request) -> str | None:
    """The address the request came from. Behind REHABIT_TRUSTED_PROXY_COUNT reverse proxies
    (nginx in production) it is the entry the outermost of them added to X-Forwarded-For;
    with none, X-Forwarded-For is ignored, since anyone can send it."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "REHABIT_TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _signed_in(user) -> User | None:
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def record(**details) -> AuditEvent:
    """Add one event to the trail: `event_for(**details)`, saved."""
    event = event_for(**details)
    event.save()
    return event


def record_listed(*, patients, summary: str = "", request=None) -> list[AuditEvent]:
    """One event for each patient a list showed (the caseload's rows and its emergency banner),
    written in a single query however many there are. A row per patient, rather than one row
    naming them all, keeps "who has seen my name" a lookup on the patient's own index."""
    return record_many(
        action=AuditAction.PATIENT_LISTED,
        scopes=[(patient.clinic_id, patient.pk) for patient in patients],
        summary=summary,
        request=request,
    )


def record_many(
    *, action: str, scopes: list[tuple[int | None, int | None]], summary: str = "", request=None
) -> list[AuditEvent]:
    """One event for each distinct (clinic id, patient id) pair, in a single query."""
    events = [
        event_for(
            action=action,
            clinic_id=clinic_id,
            patient_id=patient_id,
            summary=summary,
            request=request,
        )
        for clinic_id, patient_id in dict.fromkeys(scopes)
    ]
    return AuditEvent.objects.bulk_create(events) if events else []


def event_for(
    *,
    action: str,
    patient=None,
    patient_id: int | None = None,
    clinic: Clinic | None = None,
    clinic_id: int | None = None,
    actor: User | None = None,
    summary: str = "",
    request=None,
) -> AuditEvent:
    """One event, not saved yet. The actor defaults to the signed-in person of the request
    being served, the clinic to the patient's (or the actor's), and the address and browser
    come from the request. Ids may stand in for the patient and the clinic, so a caller that
    has only the ids spends no query on fetching them."""
    request = request if request is not None else _current_request.get()
    if actor is None and request is not None:
        actor = _signed_in(getattr(request, "user", None))
    if patient is not None:
        patient_id = patient.pk
        clinic_id = clinic_id or patient.clinic_id
    if clinic is not None:
        clinic_id = clinic.pk
    if clinic_id is None and actor is not None:
        clinic_id = actor.clinic_id
    # A call through the API: the key is named beside the staff member it acts as.
    api_key = getattr(request, "api_key", None) if request is not None else None
    event = AuditEvent(
        api_key=api_key,
        clinic_id=clinic_id,
        actor=actor,
        actor_name=actor.full_name if actor else "",
        actor_email=actor.email if actor else "",
        actor_role=actor.role if actor else "",
        patient_id=patient_id,
        action=action,
        summary=str(summary)[:SUMMARY_MAX_LENGTH],
        ip_address=client_address(request) if request is not None else None,
        user_agent=(
            request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX_LENGTH]
            if request is not None
            else ""
        ),
    )
    return event


def changed_fields_summary(names) -> str:
    """Which of a record's fields changed, by name only: the trail says that the phone number
    changed, not what it is now."""
    names = list(names)
    if not names:
        return _("Nothing changed.")
    return _("Changed: %(fields)s.") % {"fields": ", ".join(sorted(names))}


# Auth signals ---------------------------------------------------------------------------------


def on_signed_in(sender, request, user, **kwargs):
    record(action=AuditAction.SIGNED_IN, actor=user, request=request)


def on_signed_out(sender, request, user, **kwargs):
    if user is not None and user.is_authenticated:
        record(action=AuditAction.SIGNED_OUT, actor=user, request=request)


def on_sign_in_failed(sender, credentials, request=None, **kwargs):
    """A wrong password (or second-factor code) for an account is recorded against that
    account and its clinic. For an email address no account has, the row keeps neither the
    address nor a clinic: people type passwords into the email field, and only the site's
    own administrators see such rows."""
    identifier = str(credentials.get("username") or credentials.get("email") or "")
    identifier = identifier.strip().lower()
    account = User.objects.filter(email=identifier).first() if identifier else None
    if account is None:
        record(
            action=AuditAction.SIGN_IN_FAILED,
            summary=_("No account has the email address given."),
            request=request,
            actor=None,
            clinic=None,
        )
        return
    record(
        action=AuditAction.SIGN_IN_FAILED,
        actor=account,
        summary=_("Wrong password or code for this account."),
        request=request,
    )
