"""Writes of outcome measures: setting up PSFS activities and interval, recording PSFS ratings
and ODI or NDI totals, and correcting a score with a new entry that supersedes it. Each checks
the scale's limits and the date, writes in one transaction, leaves an audit row, and brings the
patient's kept figures (next PSFS due, function worsening) up to date before it commits."""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinics import audit
from clinics.languages import language_for
from clinics.models import AuditAction, Clinic, User
from patients.models import Patient, PatientStatus
from push.services import notification_enqueue

from .models import OutcomeEntry, PatientOutcomes, PsfsActivity, PsfsRating, Source
from .progress import is_worsening, progress_of, psfs_due_on
from .scores import (
    PSFS_INTERVAL_MAX_DAYS,
    PSFS_INTERVAL_MIN_DAYS,
    PSFS_MAX_ACTIVITIES,
    PSFS_MIN_ACTIVITIES,
    PSFS_RATING_MAX,
    PSFS_RATING_MIN,
    SCALES,
    TOTAL_MEASURES,
    Measure,
)
from .selectors import measure_points

ACTIVITY_NAME_MAX = PsfsActivity._meta.get_field("name").max_length


def _check_recorder(*, patient: Patient, by: User) -> str:
    """Who may write a patient's outcomes: the patient themselves or their clinic's staff."""
    if by.clinic_id != patient.clinic_id or (by.is_patient and patient.user_id != by.pk):
        raise ValidationError(_("Only the patient or their clinic can record their outcomes."))
    return Source.PATIENT if by.is_patient else Source.STAFF


def _check_date(*, patient: Patient, assessed_on: datetime.date) -> None:
    today = patient.clinic.today()
    if assessed_on > today:
        raise ValidationError(
            {"assessed_on": _("The date cannot be in the future: choose today or earlier.")}
        )
    added_on = timezone.localtime(patient.created_at, patient.clinic.zone).date()
    if assessed_on < added_on:
        raise ValidationError(
            {
                "assessed_on": _(
                    "The date cannot be before the patient was added (%(day)s): choose that "
                    "day or later."
                )
                % {"day": added_on.isoformat()}
            }
        )


def _check_whole(value, *, low: int, high: int, field: str, message: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError({field: message})
    return value


def _check_total(*, measure: str, total) -> int:
    if measure not in TOTAL_MEASURES:
        raise ValidationError({"measure": _("Choose ODI or NDI.")})
    scale = SCALES[measure]
    return _check_whole(
        total,
        low=scale.minimum,
        high=scale.maximum,
        field="total",
        message=_("The %(name)s total must be a whole number from %(low)d to %(high)d.")
        % {"name": scale.short_name, "low": scale.minimum, "high": scale.maximum},
    )


def _merged(errors: list[ValidationError]) -> ValidationError:
    """Several refusals as one, each message kept with its field."""
    merged: dict[str, list] = {}
    for error in errors:
        if hasattr(error, "error_dict"):
            for name, messages in error.error_dict.items():
                merged.setdefault(name, []).extend(messages)
        else:
            merged.setdefault(NON_FIELD_ERRORS, []).extend(error.error_list)
    return ValidationError(merged)


def _active_activities(patient: Patient) -> list[PsfsActivity]:
    return list(patient.psfs_activities.filter(retired_at__isnull=True).order_by("added_at", "id"))


def _check_ratings(*, ratings: dict[int, int], activities: list[PsfsActivity]) -> None:
    if not PSFS_MIN_ACTIVITIES <= len(activities) <= PSFS_MAX_ACTIVITIES:
        raise ValidationError(
            _("PSFS needs %(low)d to %(high)d activities before it can be rated.")
            % {"low": PSFS_MIN_ACTIVITIES, "high": PSFS_MAX_ACTIVITIES}
        )
    if set(ratings) != {activity.pk for activity in activities}:
        raise ValidationError(_("Rate every activity, and only the ones asked about."))
    message = _("Each rating must be a whole number from %(low)d to %(high)d.") % {
        "low": PSFS_RATING_MIN,
        "high": PSFS_RATING_MAX,
    }
    for activity in activities:
        _check_whole(
            ratings[activity.pk],
            low=PSFS_RATING_MIN,
            high=PSFS_RATING_MAX,
            field=f"activity_{activity.pk}",
            message=message,
        )


def _settings_locked(patient: Patient) -> PatientOutcomes:
    """The patient's outcome settings row, locked, so two writes for one patient take turns."""
    PatientOutcomes.objects.get_or_create(patient=patient)
    return PatientOutcomes.objects.select_for_update().get(patient=patient)


def _figures_refresh(*, patient: Patient, settings_row: PatientOutcomes) -> None:
    points = measure_points(patient_ids=[patient.pk]).get(patient.pk, {})
    psfs = points.get(Measure.PSFS, [])
    settings_row.psfs_due_on = psfs_due_on(
        has_activities=patient.psfs_activities.filter(retired_at__isnull=True).exists(),
        started_on=settings_row.psfs_started_on,
        last_rated_on=max((point.on for point in psfs), default=None),
        interval_days=settings_row.psfs_interval_days,
    )
    settings_row.function_worsening = is_worsening(
        progress_of(measure, values) for measure, values in points.items()
    )
    settings_row.save(update_fields=["psfs_due_on", "function_worsening", "updated_at"])


def _clean_names(names: list[str]) -> list[str]:
    cleaned = [" ".join(name.split()) for name in names]
    cleaned = [name for name in cleaned if name]
    if any(len(name) > ACTIVITY_NAME_MAX for name in cleaned):
        raise ValidationError(
            {"names": _("Keep each activity to %(max)d characters.") % {"max": ACTIVITY_NAME_MAX}}
        )
    if len({name.casefold() for name in cleaned}) != len(cleaned):
        raise ValidationError({"names": _("Name each activity once.")})
    return cleaned


@transaction.atomic
def psfs_activities_add(*, patient: Patient, names: list[str], by: User) -> list[PsfsActivity]:
    """Add activities to the patient's PSFS: 3 to 5 to begin with, later up to 5 in all. A name
    never changes once added; to change one, retire it and add another."""
    _check_recorder(patient=patient, by=by)
    settings_row = _settings_locked(patient)
    names = _clean_names(names)
    current = _active_activities(patient)
    taken = {activity.name.casefold() for activity in current}
    if any(name.casefold() in taken for name in names):
        raise ValidationError({"names": _("That activity is already on the list.")})
    total = len(current) + len(names)
    if not names:
        raise ValidationError({"names": _("Name at least one activity.")})
    if total > PSFS_MAX_ACTIVITIES:
        raise ValidationError(
            {
                "names": _("PSFS takes at most %(max)d activities; %(count)d are set already.")
                % {"max": PSFS_MAX_ACTIVITIES, "count": len(current)}
            }
        )
    if total < PSFS_MIN_ACTIVITIES:
        raise ValidationError(
            {
                "names": _("PSFS needs %(low)d to %(high)d activities: name %(more)d more.")
                % {
                    "low": PSFS_MIN_ACTIVITIES,
                    "high": PSFS_MAX_ACTIVITIES,
                    "more": PSFS_MIN_ACTIVITIES - total,
                }
            }
        )
    added = PsfsActivity.objects.bulk_create(
        [
            PsfsActivity(clinic=patient.clinic, patient=patient, name=name, added_by=by)
            for name in names
        ]
    )
    if settings_row.psfs_started_on is None:
        settings_row.psfs_started_on = patient.clinic.today()
        settings_row.save(update_fields=["psfs_started_on", "updated_at"])
    _figures_refresh(patient=patient, settings_row=settings_row)
    audit.record(
        action=AuditAction.OUTCOME_SETUP_CHANGED,
        patient=patient,
        actor=by,
        summary=_("PSFS activities added: %(count)d.") % {"count": len(added)},
    )
    return added


@transaction.atomic
def psfs_activity_retire(*, patient: Patient, activity: PsfsActivity, by: User) -> PsfsActivity:
    """Take an activity off the list. Its ratings stay in the record."""
    _check_recorder(patient=patient, by=by)
    settings_row = _settings_locked(patient)
    if activity.patient_id != patient.pk or activity.retired_at is not None:
        raise ValidationError(_("That activity is not on the patient's list."))
    activity.retired_at = timezone.now()
    activity.save(update_fields=["retired_at"])
    _figures_refresh(patient=patient, settings_row=settings_row)
    audit.record(
        action=AuditAction.OUTCOME_SETUP_CHANGED,
        patient=patient,
        actor=by,
        summary=_("PSFS activity %(id)d retired.") % {"id": activity.pk},
    )
    return activity


@transaction.atomic
def psfs_interval_set(*, patient: Patient, days: int, by: User) -> PatientOutcomes:
    if by.is_patient or by.clinic_id != patient.clinic_id:
        raise ValidationError(_("Only the patient's clinic sets how often PSFS is asked."))
    _check_whole(
        days,
        low=PSFS_INTERVAL_MIN_DAYS,
        high=PSFS_INTERVAL_MAX_DAYS,
        field="days",
        message=_("Choose a whole number of days from %(low)d to %(high)d.")
        % {"low": PSFS_INTERVAL_MIN_DAYS, "high": PSFS_INTERVAL_MAX_DAYS},
    )
    settings_row = _settings_locked(patient)
    settings_row.psfs_interval_days = days
    settings_row.save(update_fields=["psfs_interval_days", "updated_at"])
    _figures_refresh(patient=patient, settings_row=settings_row)
    audit.record(
        action=AuditAction.OUTCOME_SETUP_CHANGED,
        patient=patient,
        actor=by,
        summary=_("PSFS interval set to %(days)d days.") % {"days": days},
    )
    return settings_row


def _entry_create(
    *,
    patient: Patient,
    measure: str,
    assessed_on: datetime.date,
    by: User,
    total: int | None = None,
    ratings: dict[int, int] | None = None,
    activities: list[PsfsActivity] | None = None,
    supersedes: OutcomeEntry | None = None,
    note: str = "",
) -> OutcomeEntry:
    """A new score. PSFS rates `activities` (the patient's current ones unless given: a
    correction rates those of the day it corrects)."""
    source = _check_recorder(patient=patient, by=by)
    settings_row = _settings_locked(patient)
    # Every refusal at once, so the form says all that is wrong in one go.
    errors: list[ValidationError] = []
    try:
        if measure == Measure.PSFS:
            if activities is None:
                activities = _active_activities(patient)
            _check_ratings(ratings=ratings or {}, activities=activities)
        else:
            total = _check_total(measure=measure, total=total)
    except ValidationError as error:
        errors.append(error)
    try:
        _check_date(patient=patient, assessed_on=assessed_on)
    except ValidationError as error:
        errors.append(error)
    if errors:
        raise _merged(errors)
    entry = OutcomeEntry.objects.create(
        clinic=patient.clinic,
        patient=patient,
        measure=measure,
        assessed_on=assessed_on,
        total=total if measure != Measure.PSFS else None,
        source=source,
        recorded_by=by,
        supersedes=supersedes,
        note=note.strip(),
    )
    if measure == Measure.PSFS:
        PsfsRating.objects.bulk_create(
            [
                PsfsRating(entry=entry, activity=activity, rating=ratings[activity.pk])
                for activity in activities
            ]
        )
    _figures_refresh(patient=patient, settings_row=settings_row)
    return entry


@transaction.atomic
def psfs_record(
    *, patient: Patient, ratings: dict[int, int], assessed_on: datetime.date, by: User
) -> OutcomeEntry:
    """Record the patient's PSFS: a whole-number rating from 0 to 10 for each of their current
    activities (3 to 5)."""
    entry = _entry_create(
        patient=patient, measure=Measure.PSFS, assessed_on=assessed_on, by=by, ratings=ratings
    )
    audit.record(
        action=AuditAction.OUTCOME_RECORDED,
        patient=patient,
        actor=by,
        summary=_("PSFS score %(id)d recorded.") % {"id": entry.pk},
    )
    return entry


@transaction.atomic
def total_record(
    *, patient: Patient, measure: str, total: int, assessed_on: datetime.date, by: User
) -> OutcomeEntry:
    """Record an ODI (0–100 %) or NDI (0–50 points) total, as the patient reached it on the
    clinic's own licensed form."""
    if by.is_patient:
        raise ValidationError(_("The clinic records ODI and NDI totals."))
    entry = _entry_create(
        patient=patient, measure=measure, assessed_on=assessed_on, by=by, total=total
    )
    audit.record(
        action=AuditAction.OUTCOME_RECORDED,
        patient=patient,
        actor=by,
        summary=_("%(measure)s score %(id)d recorded.")
        % {"measure": SCALES[measure].short_name, "id": entry.pk},
    )
    return entry


@transaction.atomic
def entry_correct(
    *,
    entry: OutcomeEntry,
    by: User,
    assessed_on: datetime.date,
    note: str,
    total: int | None = None,
    ratings: dict[int, int] | None = None,
) -> OutcomeEntry:
    """Correct a score: a new entry that supersedes it. The earlier one is kept, out of the
    charts. Only the latest version of a score can be corrected."""
    if by.is_patient:
        raise ValidationError(_("Corrections are made by the clinic."))
    patient = entry.patient
    if not note.strip():
        raise ValidationError({"note": _("Say why the score is corrected.")})
    _settings_locked(patient)
    if OutcomeEntry.objects.filter(supersedes=entry).exists():
        raise ValidationError(_("This score was corrected already; correct the newer one."))
    corrected = _entry_create(
        patient=patient,
        measure=entry.measure,
        assessed_on=assessed_on,
        by=by,
        total=total,
        ratings=ratings,
        # The activities rated that day, even if retired since.
        activities=[rating.activity for rating in entry.ratings.select_related("activity")],
        supersedes=entry,
        note=note,
    )
    audit.record(
        action=AuditAction.OUTCOME_CORRECTED,
        patient=patient,
        actor=by,
        summary=_("Score %(old)d corrected by score %(new)d.")
        % {"old": entry.pk, "new": corrected.pk},
    )
    return corrected


def psfs_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Ask each active patient whose PSFS is due to rate their activities, once per due date
    (the outbox key), whatever the number of runs. Returns how many were asked."""
    now = now or timezone.now()
    asked = 0
    for clinic in Clinic.objects.all():
        today = timezone.localtime(now, clinic.zone).date()
        due = PatientOutcomes.objects.filter(
            patient__clinic=clinic,
            patient__status=PatientStatus.ACTIVE,
            patient__user__is_active=True,
            psfs_due_on__lte=today,
        ).select_related("patient__user")
        for row in due:
            with transaction.atomic():
                notification_enqueue(
                    kind="outcome_due",
                    key=f"outcome-due:{row.patient_id}:{row.psfs_due_on.isoformat()}",
                    person=row.patient.user,
                    language=language_for(row.patient.user, clinic=clinic),
                    clinic_id=clinic.pk,
                    context={"patient_id": row.patient_id},
                )
            asked += 1
    return asked
