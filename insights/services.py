"""The therapist's writes on the read side: acknowledging an alert, and keeping each patient's
place on the caseload (`CaseloadTriage`) up to date."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from clinics import audit
from clinics.models import AuditAction, Clinic, User
from lib.once import create_once
from patients.models import AlertAcknowledgement, AlertKind, Patient
from webhooks import events as webhook_events
from webhooks.services import event_emit

from .models import CaseloadTriage
from .selectors.alerts import alerts_for_patients
from .selectors.triage import thresholds_key, triage_compute, triage_out_of_date

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
        event_emit(
            clinic_id=clinic.pk,
            kind=webhook_events.ALERT_ACKNOWLEDGED,
            data={
                "patient": patient.pk,
                "alert": {"kind": kind, "key": event_key},
                "acknowledgement": acknowledgement.pk,
            },
            details={"note": note},
        )
        return acknowledgement

    return create_once(
        AlertAcknowledgement.objects.filter(patient=patient, kind=kind, event_key=event_key),
        acknowledge,
    )


TRIAGE_FIELDS = [
    field.name
    for field in CaseloadTriage._meta.concrete_fields
    if field.name != "patient" and not field.primary_key
]


def caseload_triage_refresh(
    *,
    clinic: Clinic,
    patients: QuerySet[Patient] | None = None,
    today: datetime.date | None = None,
) -> int:
    """Bring the triage rows of the clinic's patients (of `patients` when given) up to date as
    of `today` (the clinic's date): the missing and out-of-date ones are worked out again, all
    at once, and written in one transaction (one statement per 500 rows). Returns how many
    were written.

    What a row is worked out from is read first and kept with it, so a log or a plan written
    meanwhile leaves the row out of date for the next reader, never wrongly current. Rows are
    written in patient order: two refreshes at once take their row locks in the same order."""
    today = today or clinic.today()
    patients = Patient.objects.all() if patients is None else patients
    stale = triage_out_of_date(clinic=clinic, patients=patients, today=today)
    if not stale:
        return 0
    figures = triage_compute(clinic=clinic, patient_ids=sorted(stale), today=today)
    key = thresholds_key(clinic)
    rows = [
        CaseloadTriage(
            patient_id=patient_id,
            day=today,
            thresholds=key,
            summary_revision=stale[patient_id].summary_revision,
            plans=stale[patient_id].plans,
            acknowledgements=stale[patient_id].acknowledgements,
            **figures[patient_id],
        )
        for patient_id in sorted(stale)
    ]
    with transaction.atomic():
        CaseloadTriage.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["patient"],
            update_fields=TRIAGE_FIELDS,
            batch_size=500,
        )
    return len(rows)


def caseload_triage_refresh_all() -> int:
    """Every clinic's triage rows as of its own date: after a clinic's midnight the rows of the
    day before are all out of date, and are worked out here rather than by the first caseload
    opened that morning. Returns how many rows were written."""
    return sum(caseload_triage_refresh(clinic=clinic) for clinic in Clinic.objects.order_by("pk"))
