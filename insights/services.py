"""The therapist's writes on the read side: acknowledging an alert."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from clinics import audit
from clinics.models import AuditAction, Clinic, User
from lib.once import create_once
from patients.models import AlertAcknowledgement, AlertKind, Patient

from .selectors.alerts import alerts_for_patients

ACKNOWLEDGEMENT_NOTE_MAX_LENGTH = 500


def alert_acknowledge(
    *,
    clinic: Clinic,
    patient: Patient,
    kind: str,
    event_key: str,
    acknowledged_by: User,
    note: str = "",
) -> AlertAcknowledgement:
    """Mark one of the patient's alerts as seen, with an optional note; who and when are kept.
    Only an alert the patient has now can be acknowledged (`insights/alerts.py` works them
    out), so a stale form cannot hide an event nobody saw. Acknowledging the same alert twice
    (a double submit, or two colleagues at once) keeps the first acknowledgement."""
    if patient.clinic_id != clinic.pk:
        raise ValidationError(_("This patient is not one of the clinic's patients."))
    if acknowledged_by.clinic_id != clinic.pk or not acknowledged_by.is_clinic_staff:
        raise ValidationError(_("Only staff of the patient's clinic can acknowledge alerts."))
    if kind not in AlertKind.values:
        raise ValidationError({"kind": _("Unknown alert.")})
    note = (note or "").strip()
    if len(note) > ACKNOWLEDGEMENT_NOTE_MAX_LENGTH:
        message = _("Keep the note to %(max)d characters.")
        raise ValidationError({"note": message % {"max": ACKNOWLEDGEMENT_NOTE_MAX_LENGTH}})
    current = alerts_for_patients(clinic=clinic, patient_ids=[patient.pk]).get(patient.pk)
    alert = current.find(kind=kind, event_key=event_key) if current else None
    if alert is None:
        raise ValidationError(
            _("This alert is no longer open: something newer has replaced it, or it has passed.")
        )
    if alert.acknowledgement is not None:
        return alert.acknowledgement

    def acknowledge() -> AlertAcknowledgement:
        acknowledgement = AlertAcknowledgement.objects.create(
            clinic=clinic,
            patient=patient,
            kind=kind,
            event_key=event_key,
            note=note,
            acknowledged_by=acknowledged_by,
        )
        audit.record(
            action=AuditAction.ALERT_ACKNOWLEDGED,
            patient=patient,
            actor=acknowledged_by,
            summary=_("Acknowledgement #%(number)d.") % {"number": acknowledgement.pk},
        )
        return acknowledgement

    return create_once(
        AlertAcknowledgement.objects.filter(patient=patient, kind=kind, event_key=event_key),
        acknowledge,
    )
