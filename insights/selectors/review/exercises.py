"""How each exercise went against its dose over the review's window, counted in SQL."""

import datetime
from dataclasses import dataclass

from django.db.models import Avg, Count, F, IntegerField, Q, Sum

from patients.models import (
    EntryStatus,
    Patient,
    SessionLogEntry,
    SkipReason,
)
from prescriptions.models import PlanItem

from .labels import local_midnight


def _average(value) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class ExerciseReview:
    exercise_id: int
    name: str
    logged: int = 0
    completed: int = 0
    partial: int = 0
    skipped: int = 0
    skip_reasons: tuple[tuple[str, int], ...] = ()
    # Averages over the sessions where the exercise was done (completed or partly): what the
    # patient did against what was prescribed at the time.
    sets_done: float | None = None
    sets_prescribed: float | None = None
    repetitions_done: float | None = None
    repetitions_prescribed: float | None = None
    hold_done: float | None = None
    hold_prescribed: float | None = None
    # Totals over every logged session, skipped ones included: seconds held for a stretch,
    # repetitions for a moving exercise.
    dose_done: int = 0
    dose_prescribed: int = 0
    is_timed: bool = False

    @property
    def dose_percent(self) -> int | None:
        if not self.dose_prescribed:
            return None
        return round(100 * self.dose_done / self.dose_prescribed)

    @property
    def skip_reason_text(self) -> str:
        return ", ".join(f"{label.lower()} {count}" for label, count in self.skip_reasons)


def exercise_reviews(
    *, patient: Patient, start: datetime.date, end: datetime.date, plan_ids: list[int]
) -> list[ExerciseReview]:
    """Each exercise logged in the window, and each exercise of a plan running in it that was
    never logged: two queries, one row per exercise, counted and averaged in SQL."""
    done = ~Q(status=EntryStatus.SKIPPED)
    skipped = Q(status=EntryStatus.SKIPPED)
    reasons = [reason for reason in SkipReason if reason.value]
    reason_counts = {
        f"skipped_{reason.value}": Count("id", filter=skipped & Q(skip_reason=reason.value))
        for reason in reasons
    }
    rows = (
        SessionLogEntry.objects.filter(
            session__patient=patient,
            session__performed_at__gte=local_midnight(start, patient.clinic.zone),
            session__performed_on__range=(start, end),
        )
        .order_by()
        .values("exercise_id", "exercise__name")
        .annotate(
            logged=Count("id"),
            completed=Count("id", filter=Q(status=EntryStatus.COMPLETED)),
            partial=Count("id", filter=Q(status=EntryStatus.PARTIAL)),
            skipped=Count("id", filter=skipped),
            **reason_counts,
            avg_sets_done=Avg("sets_done", filter=done),
            avg_sets_prescribed=Avg("prescribed_sets", filter=done),
            avg_repetitions_done=Avg("repetitions_done", filter=done),
            avg_repetitions_prescribed=Avg("prescribed_repetitions", filter=done),
            avg_hold_done=Avg("hold_seconds_done", filter=done),
            avg_hold_prescribed=Avg("prescribed_hold_seconds", filter=done),
            hold_total_done=Sum(
                F("sets_done") * F("repetitions_done") * F("hold_seconds_done"),
                output_field=IntegerField(),
            ),
            hold_total_prescribed=Sum(
                F("prescribed_sets") * F("prescribed_repetitions") * F("prescribed_hold_seconds"),
                output_field=IntegerField(),
            ),
            repetitions_total_done=Sum(
                F("sets_done") * F("repetitions_done"), output_field=IntegerField()
            ),
            repetitions_total_prescribed=Sum(
                F("prescribed_sets") * F("prescribed_repetitions"), output_field=IntegerField()
            ),
        )
    )
    reviews = {}
    for row in rows:
        is_timed = bool(row["hold_total_prescribed"])
        reviews[row["exercise_id"]] = ExerciseReview(
            exercise_id=row["exercise_id"],
            name=row["exercise__name"],
            logged=row["logged"],
            completed=row["completed"],
            partial=row["partial"],
            skipped=row["skipped"],
            skip_reasons=tuple(
                (str(reason.label), row[f"skipped_{reason.value}"])
                for reason in reasons
                if row[f"skipped_{reason.value}"]
            ),
            sets_done=_average(row["avg_sets_done"]),
            sets_prescribed=_average(row["avg_sets_prescribed"]),
            repetitions_done=_average(row["avg_repetitions_done"]),
            repetitions_prescribed=_average(row["avg_repetitions_prescribed"]),
            hold_done=_average(row["avg_hold_done"]),
            hold_prescribed=_average(row["avg_hold_prescribed"]),
            dose_done=(row["hold_total_done"] if is_timed else row["repetitions_total_done"]) or 0,
            dose_prescribed=(
                row["hold_total_prescribed"] if is_timed else row["repetitions_total_prescribed"]
            )
            or 0,
            is_timed=is_timed,
        )
    order: list[int] = []
    if plan_ids:
        for exercise_id, name in (
            PlanItem.objects.filter(plan_id__in=plan_ids)
            .order_by("-plan__start_date", "plan_id", "position", "id")
            .values_list("exercise_id", "exercise__name")
        ):
            if exercise_id not in order:
                order.append(exercise_id)
            reviews.setdefault(exercise_id, ExerciseReview(exercise_id=exercise_id, name=name))
    rest = sorted(
        (exercise_id for exercise_id in reviews if exercise_id not in order),
        key=lambda exercise_id: reviews[exercise_id].name.lower(),
    )
    return [reviews[exercise_id] for exercise_id in [*order, *rest]]
