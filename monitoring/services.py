"""Writing remote-monitoring records: setting up (and ending) a patient's monitoring, and
logging treatment-management time. Time entries are never changed: a correction is a new
entry that supersedes the one it puts right. Every write leaves an audit row in its own
transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from clinics import audit
from clinics.models import AuditAction, User
from messaging.models import Message
from patients.models import Patient

from .models import ACTIVITY_MAX_LENGTH, ENTRY_MINUTES, Communication, Enrolment, TimeEntry


def _locked(patient: Patient) -> Patient:
    # The patient row orders writes to one patient's monitoring: two corrections of the same
    # entry at once take turns, and the second finds it already corrected.
    return (
        Patient.objects.select_for_update(of=("self",)).select_related("clinic").get(pk=patient.pk)
    )


def _day(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


@transaction.atomic
def enrolment_save(
    *,
    patient: Patient,
    started_on: datetime.date,
    ended_on: datetime.date | None,
    saved_by: User,
) -> Enrolment:
    """Set up the patient's remote monitoring from `started_on`, or change its dates (ending
    it with `ended_on`)."""
    patient = _locked(patient)
    today = patient.clinic.today()
    errors = {}
    if started_on > today:
        errors["started_on"] = _(
            "The day monitoring was set up cannot be in the future. Use today (%(today)s) or "
            "an earlier day."
        ) % {"today": _day(today)}
    if ended_on is not None and ended_on < started_on:
        errors["ended_on"] = _(
            "Monitoring cannot end before it was set up (%(start)s). Use that day or a later one."
        ) % {"start": _day(started_on)}
    if errors:
        raise ValidationError(errors)
    enrolment = Enrolment.objects.filter(patient=patient).first()
    if enrolment is None:
        enrolment = Enrolment(
            clinic=patient.clinic,
            patient=patient,
            started_on=started_on,
            ended_on=ended_on,
            set_up_by=saved_by,
        )
        action = AuditAction.MONITORING_SET_UP
        changed = ["started_on", *(["ended_on"] if ended_on else [])]
    else:
        changed = [
            name
            for name, value in (("started_on", started_on), ("ended_on", ended_on))
            if getattr(enrolment, name) != value
        ]
        enrolment.started_on, enrolment.ended_on = started_on, ended_on
        action = AuditAction.MONITORING_CHANGED
    enrolment.full_clean()
    enrolment.save()
    audit.record(
        action=action,
        patient=patient,
        actor=saved_by,
        summary=audit.changed_fields_summary(changed),
    )
    return enrolment


@transaction.atomic
def time_entry_record(
    *,
    patient: Patient,
    performed_on: datetime.date,
    minutes: int,
    activity: str,
    communication: str,
    recorded_by: User,
    message: Message | None = None,
    supersedes: TimeEntry | None = None,
) -> TimeEntry:
    """Log time spent on the patient's treatment management, or, with `supersedes`, a
    correction of an earlier entry, which then stays as it was, marked corrected and out of
    the totals. A reply in the patient's messages names one of the author's own messages,
    sent on the entry's day."""
    patient = _locked(patient)
    clinic = patient.clinic
    today = clinic.today()
    enrolment = Enrolment.objects.filter(patient=patient).first()
    activity = (activity or "").strip()
    errors: dict[str, str] = {}
    if enrolment is None:
        raise ValidationError(_("Set up remote monitoring for this patient before logging time."))
    if performed_on > today:
        errors["performed_on"] = _(
            "The date cannot be in the future. Use today (%(today)s) or an earlier day."
        ) % {"today": _day(today)}
    elif performed_on < enrolment.started_on:
        errors["performed_on"] = _(
            "Monitoring was set up on %(start)s. Use that day or a later one."
        ) % {"start": _day(enrolment.started_on)}
    elif enrolment.ended_on is not None and performed_on > enrolment.ended_on:
        errors["performed_on"] = _(
            "Monitoring ended on %(end)s. Use that day or an earlier one."
        ) % {"end": _day(enrolment.ended_on)}
    if not isinstance(minutes, int) or not (
        ENTRY_MINUTES.minimum <= minutes <= ENTRY_MINUTES.maximum
    ):
        errors["minutes"] = str(ENTRY_MINUTES.message)
    if not activity:
        errors["activity"] = _("Say what was done, for example “Reviewed pain reports”.")
    elif len(activity) > ACTIVITY_MAX_LENGTH:
        errors["activity"] = _(
            "What was done can be at most %(limit)s characters; this has %(length)s."
        ) % {"limit": ACTIVITY_MAX_LENGTH, "length": len(activity)}
    if communication not in Communication.values:
        errors["communication"] = _("Choose one of the kinds of communication listed.")
    elif communication == Communication.MESSAGE:
        if message is None:
            errors["message"] = _("Choose the reply you sent in the patient's messages.")
        elif message.patient_id != patient.pk or message.author_id != recorded_by.pk:
            errors["message"] = _("Choose one of your own messages to this patient.")
        elif "performed_on" not in errors:
            sent_on = timezone.localtime(message.created_at, clinic.zone).date()
            if sent_on != performed_on:
                errors["message"] = _(
                    "That message was sent on %(sent)s. Log the time on that day, or choose "
                    "a message sent on %(day)s."
                ) % {"sent": _day(sent_on), "day": _day(performed_on)}
    else:
        message = None
    if supersedes is not None:
        supersedes = TimeEntry.objects.filter(pk=supersedes.pk, patient=patient).first()
        if supersedes is None:
            errors["supersedes"] = _("You can only correct this patient's own entries.")
        elif TimeEntry.objects.filter(supersedes=supersedes).exists():
            errors["supersedes"] = _(
                "This entry has been corrected already. Correct the newest entry instead."
            )
    if errors:
        raise ValidationError(errors)
    entry = TimeEntry(
        clinic=clinic,
        patient=patient,
        performed_on=performed_on,
        minutes=minutes,
        activity=activity,
        communication=communication,
        message=message,
        supersedes=supersedes,
        recorded_by=recorded_by,
    )
    entry.full_clean()
    entry.save()
    audit.record(
        action=AuditAction.MONITORING_TIME_CORRECTED
        if supersedes
        else AuditAction.MONITORING_TIME_LOGGED,
        patient=patient,
        actor=recorded_by,
        summary=(
            _("Time entry #%(id)s, correcting entry #%(corrected)s.")
            % {"id": entry.pk, "corrected": supersedes.pk}
            if supersedes
            else _("Time entry #%(id)s.") % {"id": entry.pk}
        ),
    )
    return entry
