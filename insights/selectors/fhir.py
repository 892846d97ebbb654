"""What the FHIR export of one patient's program reads (`insights.fhir`): the patient, their plans
with the dose of each exercise and the pauses, the exercises with their steps, the session logs
with what was done of each exercise, the pain reports, and the outcome scores that no later
entry corrects. A fixed number of queries however long the record is."""

from dataclasses import dataclass

from django.db.models import Prefetch

from exercises.models import Exercise
from outcomes.models import OutcomeEntry, PsfsRating
from patients.models import PainReport, Patient, SessionLog, SessionLogEntry
from prescriptions.models import Plan, PlanItem


@dataclass(frozen=True)
class FhirRecord:
    patient: Patient
    plans: list[Plan]
    sessions: list[SessionLog]
    pain_reports: list[PainReport]
    outcome_entries: list[OutcomeEntry]
    exercises: list[Exercise]


def fhir_record(*, patient: Patient) -> FhirRecord:
    """The rows behind one patient's FHIR bundle (already checked to be the caller's to see),
    oldest first. Corrected session logs hold their current values; outcome scores a later
    entry supersedes are left out."""
    patient = (
        Patient.objects.select_related("clinic", "primary_therapist")
        .prefetch_related(
            Prefetch(
                "plans",
                queryset=Plan.objects.select_related("prescribed_by")
                .prefetch_related(
                    Prefetch("items", queryset=PlanItem.objects.order_by("position", "id")),
                    "pauses",
                )
                .order_by("start_date", "id"),
            ),
            Prefetch(
                "sessions",
                queryset=SessionLog.objects.select_related("recorded_by")
                .prefetch_related(
                    Prefetch("entries", queryset=SessionLogEntry.objects.order_by("position", "id"))
                )
                .order_by("performed_at", "id"),
            ),
            Prefetch(
                "pain_reports",
                queryset=PainReport.objects.select_related("recorded_by").order_by(
                    "recorded_at", "id"
                ),
            ),
            Prefetch(
                "outcome_entries",
                queryset=OutcomeEntry.objects.current()
                .select_related("recorded_by")
                .prefetch_related(
                    Prefetch(
                        "ratings",
                        queryset=PsfsRating.objects.select_related("activity").order_by(
                            "activity__added_at", "activity_id"
                        ),
                    )
                )
                .order_by("assessed_on", "recorded_at", "id"),
            ),
        )
        .get(pk=patient.pk)
    )
    plans = list(patient.plans.all())
    sessions = list(patient.sessions.all())
    exercise_ids = {item.exercise_id for plan in plans for item in plan.items.all()}
    exercise_ids |= {entry.exercise_id for session in sessions for entry in session.entries.all()}
    exercises = list(
        Exercise.objects.filter(pk__in=exercise_ids).prefetch_related("steps").order_by("pk")
    )
    return FhirRecord(
        patient=patient,
        plans=plans,
        sessions=sessions,
        pain_reports=list(patient.pain_reports.all()),
        outcome_entries=list(patient.outcome_entries.all()),
        exercises=exercises,
    )
