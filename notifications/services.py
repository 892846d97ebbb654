"""What the scheduler sends: safety alerts passed on to the admins when nobody acknowledged
them in time, session reminders at the times patients chose, and each staff member's daily
digest. Each email has a key for its patient or person, its event or its day, so a scheduler
that runs twice, or two at once, sends it once."""

import datetime

from django.db import transaction
from django.utils import timezone

from clinics.languages import language_for
from clinics.models import STAFF_ROLES, Clinic, Role, User
from insights.selectors.alerts import alerts_for_patients
from messaging.selectors import unread_total
from patients.adherence import prescribed_per_day
from patients.models import (
    AlertKind,
    PainReport,
    Patient,
    PatientStatus,
    ReminderSettings,
    SessionLog,
)
from patients.red_flags import Severity
from patients.reminders import default_times, due_at, due_numbers
from patients.selectors.adherence import done_counts_for_plans, schedules_for_patients
from push.services import notification_enqueue

from .unsubscribe import DIGEST, REMINDERS

# Red flags and flagged sessions older than this no longer raise an alert (insights.alerts).
SAFETY_WINDOW = datetime.timedelta(days=30)


def escalations_send(*, now: datetime.datetime | None = None) -> int:
    """Pass on to each clinic's admins the safety alerts (emergency red flags, sessions
    stopped for pain) nobody acknowledged within the clinic's time. Returns how many emails
    were asked for (each once, whatever the number of runs)."""
    now = now or timezone.now()
    asked = 0
    for clinic in Clinic.objects.all():
        emergency_by = now - datetime.timedelta(hours=clinic.escalate_emergency_after_hours)
        other_by = now - datetime.timedelta(hours=clinic.escalate_other_after_hours)
        since = now - SAFETY_WINDOW
        candidates = set(
            PainReport.objects.filter(
                clinic=clinic,
                red_flag_severity=Severity.EMERGENCY,
                recorded_at__gte=since,
                recorded_at__lte=emergency_by,
            ).values_list("patient_id", flat=True)
        ) | set(
            SessionLog.objects.filter(
                clinic=clinic, is_flagged=True, performed_at__gte=since, performed_at__lte=other_by
            ).values_list("patient_id", flat=True)
        )
        if not candidates:
            continue
        admins = list(User.objects.filter(clinic=clinic, role=Role.CLINIC_ADMIN, is_active=True))
        alerts = alerts_for_patients(clinic=clinic, patient_ids=candidates)
        for patient_id, patient_alerts in alerts.items():
            for alert in patient_alerts.open:
                if alert.at is None:
                    continue
                if alert.is_emergency:
                    due, hours = alert.at <= emergency_by, clinic.escalate_emergency_after_hours
                elif alert.kind == AlertKind.SESSION_FLAGGED:
                    due, hours = alert.at <= other_by, clinic.escalate_other_after_hours
                else:
                    continue
                if not due:
                    continue
                for admin in admins:
                    notification_enqueue(
                        kind="escalation",
                        key=f"escalation:{alert.kind}:{alert.event_key}:{admin.pk}",
                        person=admin,
                        language=language_for(admin, clinic=clinic),
                        clinic_id=clinic.pk,
                        context={
                            "patient_id": patient_id,
                            "hours": hours,
                            "emergency": alert.is_emergency,
                        },
                    )
                    asked += 1
    return asked


def reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind each patient of the sessions due at the times they chose (the defaults for their
    plan's sessions a day otherwise), on the days their plans ask for sessions, unless that
    session is done already, reminders are off, the plan is paused or ended, or the patient
    was discharged. Returns how many reminders were asked for."""
    now = now or timezone.now()
    asked = 0
    for clinic in Clinic.objects.all():
        today = timezone.localtime(now, clinic.zone).date()
        # A reminder late in the evening may still be due just after midnight.
        days = (today - datetime.timedelta(days=1), today)
        patients = list(
            Patient.objects.filter(
                clinic=clinic, status=PatientStatus.ACTIVE, user__is_active=True
            ).select_related("user", "reminder_settings")
        )
        if not patients:
            continue
        schedules = schedules_for_patients(
            patient_ids=[patient.pk for patient in patients], start=days[0], end=days[1]
        )
        done = done_counts_for_plans(
            plan_ids=[plan.plan_id for plans in schedules.values() for plan in plans],
            start=days[0],
            end=days[1],
        )
        for patient in patients:
            settings_row = _reminder_settings(patient)
            if settings_row is not None and not settings_row.is_on:
                continue
            plans = schedules.get(patient.pk, [])
            for day in days:
                per_plan = [(plan, prescribed_per_day(plan, day)) for plan in plans]
                prescribed = sum(count for _plan, count in per_plan)
                if not prescribed:
                    continue
                done_that_day = sum(
                    min(done.get((plan.plan_id, day), 0), count) for plan, count in per_plan
                )
                times = (settings_row.times if settings_row else None) or default_times(
                    max(count for _plan, count in per_plan)
                )
                for number in due_numbers(times, day=day, zone=clinic.zone, now=now):
                    if number > prescribed or done_that_day >= number:
                        continue
                    notification_enqueue(
                        kind="reminder",
                        key=f"reminder:{patient.pk}:{day.isoformat()}:{number}",
                        person=patient.user,
                        language=language_for(patient.user, clinic=clinic),
                        clinic_id=clinic.pk,
                        context={"patient_id": patient.pk, "number": number, "of": prescribed},
                    )
                    asked += 1
    return asked


def _reminder_settings(patient: Patient) -> ReminderSettings | None:
    try:
        return patient.reminder_settings
    except ReminderSettings.DoesNotExist:
        return None


def digests_send(*, now: datetime.datetime | None = None) -> int:
    """Each staff member's daily digest at the time they chose: how many alerts are open for
    their patients, how many patients have gone quiet, how many messages wait. Counts and a
    link only. Returns how many digests were asked for."""
    now = now or timezone.now()
    asked = 0
    staff = User.objects.filter(
        role__in=STAFF_ROLES, is_active=True, digest_at__isnull=False, clinic__isnull=False
    ).select_related("clinic")
    for user in staff:
        zone = user.clinic.zone
        today = timezone.localtime(now, zone).date()
        for day in (today - datetime.timedelta(days=1), today):
            moment = due_at(day, user.digest_at, zone)
            if not moment <= now < moment + datetime.timedelta(hours=1):
                continue
            counts = digest_counts(user=user)
            notification_enqueue(
                kind="digest",
                key=f"digest:{user.pk}:{day.isoformat()}",
                person=user,
                language=language_for(user),
                clinic_id=user.clinic_id,
                context={"user_id": user.pk, **counts},
            )
            asked += 1
    return asked


def digest_counts(*, user: User) -> dict[str, int]:
    """What a staff member's digest counts: their active patients' open alerts, those who
    have not logged for the clinic's inactivity threshold, and unread messages. An admin
    without patients of their own counts the whole clinic."""
    patients = Patient.objects.filter(clinic_id=user.clinic_id, status=PatientStatus.ACTIVE)
    if user.role == Role.THERAPIST or patients.filter(primary_therapist=user).exists():
        patients = patients.filter(primary_therapist=user)
    patient_ids = list(patients.values_list("pk", flat=True))
    alerts = alerts_for_patients(clinic=user.clinic, patient_ids=patient_ids)
    open_alerts = [alert for found in alerts.values() for alert in found.open]
    return {
        "alerts": len(open_alerts),
        "inactive": sum(1 for alert in open_alerts if alert.kind == AlertKind.INACTIVE),
        "unread": unread_total(reader=user, patient_ids=patient_ids),
    }


@transaction.atomic
def unsubscribe(*, what: str, pk: int) -> bool:
    """Turn reminders (a patient's) or the digest (a staff member's) off; False when there was
    nobody to turn off."""
    if what == REMINDERS:
        patient = Patient.objects.filter(pk=pk).first()
        if patient is None:
            return False
        settings_row, _created = ReminderSettings.objects.get_or_create(patient=patient)
        settings_row.is_on = False
        settings_row.save(update_fields=["is_on", "updated_at"])
        return True
    if what == DIGEST:
        return bool(User.objects.filter(pk=pk).update(digest_at=None))
    return False
