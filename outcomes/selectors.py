"""Reads of outcome measures: the current scores of some patients, the section of the
therapist's patient page, the patient's own outcomes page, whether PSFS is due for Today, the
record for the JSON export, and the caseload's "function worsening" filter."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Prefetch, Q
from django.shortcuts import get_object_or_404

from patients.adherence import WeekAdherence, by_week
from patients.models import Patient
from patients.selectors.adherence import adherence_for_patients
from patients.selectors.pain import pain_course_trend
from patients.trends import PainTrend

from .charts import OutcomeChart, outcome_chart
from .models import OutcomeEntry, PatientOutcomes, PsfsActivity, PsfsRating
from .progress import Point, Progress, progress_of
from .scores import (
    NDI,
    PSFS_DEFAULT_INTERVAL_DAYS,
    PSFS_MAX_ACTIVITIES,
    SCALES,
    Measure,
    ndi_percent,
    psfs_activity_verdict,
)

CHART_MIN_DAYS = 28
CHART_MAX_DAYS = 365


def measure_points(*, patient_ids: list[int]) -> dict[int, dict[str, list[Point]]]:
    """The current (uncorrected) scores of the patients, per patient and measure, oldest
    first: a PSFS score is the mean of its ratings. One query."""
    rows = (
        OutcomeEntry.objects.filter(patient_id__in=patient_ids)
        .current()
        .annotate(psfs_mean=Avg("ratings__rating"))
        .order_by("assessed_on", "id")
        .values_list("patient_id", "measure", "assessed_on", "total", "psfs_mean", "id")
    )
    points: dict[int, dict[str, list[Point]]] = defaultdict(lambda: defaultdict(list))
    for patient_id, measure, on, total, mean, entry_id in rows:
        value = mean if measure == Measure.PSFS else total
        if value is not None:
            points[patient_id][measure].append(Point(on=on, value=float(value), entry_id=entry_id))
    return points


def function_worsening_q() -> Q:
    """The caseload's filter: patients whose latest PSFS, ODI or NDI is worse than their
    baseline by a clinically important amount (kept by the services as scores are written)."""
    return Q(outcomes__function_worsening=True)


# The patient's PSFS ---------------------------------------------------------------------------


def activities_of(patient: Patient) -> list[PsfsActivity]:
    return list(patient.psfs_activities.filter(retired_at__isnull=True).order_by("added_at", "id"))


def activity_for_patient(*, patient: Patient, pk: int) -> PsfsActivity:
    """One of the patient's current activities; any other id answers 404."""
    return get_object_or_404(
        PsfsActivity.objects.filter(patient=patient, retired_at__isnull=True), pk=pk
    )


def entry_for_patient(*, patient: Patient, pk: int) -> OutcomeEntry:
    """One of the patient's scores that no later entry corrects; any other id answers 404."""
    return get_object_or_404(
        OutcomeEntry.objects.filter(patient=patient)
        .current()
        .select_related("patient__clinic")
        .prefetch_related(
            Prefetch("ratings", queryset=PsfsRating.objects.select_related("activity"))
        ),
        pk=pk,
    )


@dataclass(frozen=True)
class PsfsDue:
    due_on: datetime.date | None
    today: datetime.date
    has_activities: bool

    @property
    def is_due(self) -> bool:
        return self.due_on is not None and self.due_on <= self.today


def psfs_due_for(*, patient: Patient) -> PsfsDue:
    """Whether the patient's PSFS is due today (kept as scores and activities are written)."""
    today = patient.clinic.today()
    row = PatientOutcomes.objects.filter(patient=patient).values_list("psfs_due_on", flat=True)
    due_on = row.first()
    return PsfsDue(due_on=due_on, today=today, has_activities=due_on is not None)


# Pages ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityRow:
    activity: PsfsActivity
    baseline: int | None
    latest: int | None
    verdict: str | None

    @property
    def change(self) -> int | None:
        if self.baseline is None or self.latest is None:
            return None
        return self.latest - self.baseline


@dataclass(frozen=True)
class MeasureView:
    progress: Progress
    chart: OutcomeChart | None

    @property
    def scale(self):
        return self.progress.scale

    @property
    def band(self):
        latest = self.progress.latest
        return self.scale.band_of(latest.value) if latest else None

    @property
    def latest_percent(self) -> int | None:
        latest = self.progress.latest
        if latest is None or self.scale != NDI:
            return None
        return ndi_percent(int(latest.value))


@dataclass
class OutcomesSection:
    patient: Patient
    today: datetime.date
    measures: list[MeasureView]
    pain: PainTrend | None
    activities: list[ActivityRow]
    entries: list[OutcomeEntry]  # every entry, newest first, corrected ones included
    interval_days: int = PSFS_DEFAULT_INTERVAL_DAYS
    psfs_due_on: datetime.date | None = None
    start: datetime.date | None = None
    max_activities: int = PSFS_MAX_ACTIVITIES
    corrected_ids: set[int] = field(default_factory=set)

    @property
    def can_add_activities(self) -> bool:
        return len(self.activities) < self.max_activities

    @property
    def psfs_is_due(self) -> bool:
        return self.psfs_due_on is not None and self.psfs_due_on <= self.today


def _activity_rows(
    entries: list[OutcomeEntry], activities: list[PsfsActivity]
) -> list[ActivityRow]:
    ratings: dict[int, list[tuple[datetime.date, int, int]]] = defaultdict(list)
    for entry in entries:
        for rating in entry.ratings.all():
            ratings[rating.activity_id].append((entry.assessed_on, entry.pk, rating.rating))
    rows = []
    for activity in activities:
        course = sorted(ratings.get(activity.pk, []))
        baseline = course[0][2] if course else None
        latest = course[-1][2] if len(course) > 1 else None
        rows.append(
            ActivityRow(
                activity=activity,
                baseline=baseline,
                latest=latest,
                verdict=psfs_activity_verdict(baseline=baseline, latest=latest),
            )
        )
    return rows


def outcomes_section(*, patient: Patient) -> OutcomesSection:
    """Everything the outcomes section shows of one patient, in a fixed number of queries: the
    scores (with their ratings), the activities, the settings, the pain course and, for the
    charts, the adherence by week over the same days."""
    today = patient.clinic.today()
    entries = list(
        OutcomeEntry.objects.filter(patient=patient)
        .select_related("recorded_by", "supersedes")
        .prefetch_related(
            Prefetch("ratings", queryset=PsfsRating.objects.select_related("activity"))
        )
        .order_by("-assessed_on", "-recorded_at", "-id")
    )
    corrected_ids = {entry.supersedes_id for entry in entries if entry.supersedes_id}
    current = [entry for entry in entries if entry.pk not in corrected_ids]
    points: dict[str, list[Point]] = defaultdict(list)
    for entry in current:
        if entry.measure == Measure.PSFS:
            values = [rating.rating for rating in entry.ratings.all()]
            value = sum(values) / len(values) if values else None
        else:
            value = entry.total
        if value is not None:
            points[entry.measure].append(
                Point(on=entry.assessed_on, value=float(value), entry_id=entry.pk)
            )
    first = min((entry.assessed_on for entry in current), default=today)
    days = min(max((today - first).days + 1, CHART_MIN_DAYS), CHART_MAX_DAYS)
    start = today - datetime.timedelta(days=days - 1)
    weeks: list[WeekAdherence] = []
    if points:
        adherence = adherence_for_patients(patient_ids=[patient.pk], today=today, windows=[days])
        weeks = by_week(adherence[patient.pk][days].days)
    measures = []
    for measure in Measure:
        if measure not in points:
            continue
        progress = progress_of(measure, points[measure])
        chart = outcome_chart(
            scale=SCALES[measure],
            points=progress.points,
            weeks=weeks,
            start=start,
            end=today,
            id_prefix=f"outcome-{measure}",
        )
        measures.append(MeasureView(progress=progress, chart=chart))
    settings_row = PatientOutcomes.objects.filter(patient=patient).first()
    activities = activities_of(patient)
    return OutcomesSection(
        patient=patient,
        today=today,
        measures=measures,
        pain=pain_course_trend(patient=patient, today=today),
        activities=_activity_rows(
            [entry for entry in current if entry.measure == Measure.PSFS], activities
        ),
        entries=entries,
        interval_days=settings_row.psfs_interval_days
        if settings_row
        else PSFS_DEFAULT_INTERVAL_DAYS,
        psfs_due_on=settings_row.psfs_due_on if settings_row else None,
        start=start,
        corrected_ids=corrected_ids,
    )


# The JSON export ------------------------------------------------------------------------------


def outcomes_record(*, patient: Patient) -> dict:
    """The patient's outcome measures for their record: activities, and every score, corrected
    ones included with what corrected them. Three queries."""
    activities = [
        {
            "id": activity.pk,
            "name": activity.name,
            "added_at": activity.added_at.isoformat(),
            "retired_at": activity.retired_at.isoformat() if activity.retired_at else None,
        }
        for activity in PsfsActivity.objects.filter(patient=patient).order_by("added_at", "id")
    ]
    entries = (
        OutcomeEntry.objects.filter(patient=patient)
        .select_related("recorded_by")
        .prefetch_related("ratings")
        .order_by("assessed_on", "recorded_at", "id")
    )
    return {
        "psfs_activities": activities,
        "scores": [
            {
                "id": entry.pk,
                "measure": entry.measure,
                "assessed_on": entry.assessed_on.isoformat(),
                "total": entry.total,
                "ratings": [
                    {"activity_id": rating.activity_id, "rating": rating.rating}
                    for rating in entry.ratings.all()
                ],
                "source": entry.source,
                "recorded_by": entry.recorded_by.full_name,
                "recorded_at": entry.recorded_at.isoformat(),
                "supersedes_id": entry.supersedes_id,
                "correction_note": entry.note,
            }
            for entry in entries
        ],
    }
