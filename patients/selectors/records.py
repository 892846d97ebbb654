"""Single reads of a patient's records that pages and other apps' services need."""

import uuid
from dataclasses import dataclass

from clinics.models import User
from prescriptions.models import Plan, PlanStatus

from ..models import Patient, ReminderSettings, SessionLog
from ..reminders import default_times


def patients_of_therapist_count(*, therapist: User) -> int:
    """How many patients, active or discharged, have `therapist` as their primary therapist."""
    return Patient.objects.filter(primary_therapist=therapist).count()


def patient_of_account(*, account: User) -> Patient | None:
    """The patient record a patient's sign-in belongs to, if any."""
    return Patient.objects.filter(user=account).first()


def session_for_token(*, patient: Patient, client_token: uuid.UUID) -> SessionLog | None:
    """The patient's session saved with this form's token, if it was saved."""
    return SessionLog.objects.filter(patient=patient, client_token=client_token).first()


def reminder_sessions_per_day(*, patient: Patient) -> int:
    """The most sessions a day any of the patient's running plans asks for (1 with none)."""
    counts = Plan.objects.filter(patient=patient, status=PlanStatus.ACTIVE).values_list(
        "times_per_day", flat=True
    )
    return max(counts, default=1)


@dataclass(frozen=True)
class Reminders:
    settings: ReminderSettings | None
    sessions_per_day: int
    times: list[str]  # the chosen times, else the defaults for the sessions per day

    @property
    def is_on(self) -> bool:
        return self.settings.is_on if self.settings else True

    @property
    def times_chosen(self) -> bool:
        return bool(self.settings and self.settings.times)


def reminders_from(*, settings_row: ReminderSettings | None, sessions_per_day: int) -> Reminders:
    """The reminders a settings row (None when the patient never changed them) makes, with
    the defaults for `sessions_per_day` where no times were chosen."""
    times = list(settings_row.times) if settings_row and settings_row.times else []
    return Reminders(
        settings=settings_row,
        sessions_per_day=sessions_per_day,
        times=times or list(default_times(sessions_per_day)),
    )


def reminder_settings_for(*, patient: Patient) -> Reminders:
    """The patient's reminders as they stand, with the defaults where none were chosen."""
    return reminders_from(
        settings_row=ReminderSettings.objects.filter(patient=patient).first(),
        sessions_per_day=reminder_sessions_per_day(patient=patient),
    )
