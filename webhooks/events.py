"""The kinds of event a clinic's other software can be told about, and the JSON each one is
sent as. `data` holds ids only, which say what happened to which record and nothing about the
patient's health; `details` (pain scores, red-flag codes, how much was done) goes only to an
endpoint whose admin chose to receive health information."""

import datetime
import json
import uuid

from django.utils.translation import gettext_lazy as _

SESSION_LOGGED = "session.logged"
PAIN_REPORTED = "pain.reported"
ALERT_RAISED = "alert.raised"
ALERT_ACKNOWLEDGED = "alert.acknowledged"
PLAN_CHANGED = "plan.changed"
# Sent only when an admin asks for a test; no endpoint subscribes to it.
PING = "ping"

KINDS = {
    SESSION_LOGGED: _("A patient logged a home session"),
    PAIN_REPORTED: _("A patient reported their pain"),
    ALERT_RAISED: _("A safety alert was raised (red flag, high pain, session stopped)"),
    ALERT_ACKNOWLEDGED: _("A therapist acknowledged an alert"),
    PLAN_CHANGED: _("A plan was created, revised, paused, resumed or ended"),
}
KIND_CHOICES = list(KINDS.items())
# What the delivery log and the list of webhooks call each kind.
SHORT_LABELS = {
    SESSION_LOGGED: _("Session logged"),
    PAIN_REPORTED: _("Pain reported"),
    ALERT_RAISED: _("Alert raised"),
    ALERT_ACKNOWLEDGED: _("Alert acknowledged"),
    PLAN_CHANGED: _("Plan changed"),
    PING: _("Test event"),
}

# plan.changed says which of these happened in its data's `change`.
PLAN_CREATED, PLAN_REVISED, PLAN_STATUS_CHANGED = "created", "revised", "status_changed"


def body_for(
    *,
    event_id: uuid.UUID,
    kind: str,
    created_at: datetime.datetime,
    clinic_id: int,
    data: dict,
    details: dict | None,
) -> str:
    """The exact text posted, and signed, for one endpoint. Compact and with sorted keys, so the
    same event reads the same in the delivery log and on the receiver's side."""
    payload = {
        "id": str(event_id),
        "type": kind,
        "created_at": created_at.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "clinic": clinic_id,
        "data": data,
    }
    if details is not None:
        payload["details"] = details
    return json.dumps(payload, separators=(",", ":"), sort_keys=True)
