"""A patient's record for their clinic's staff to take away: the session logs and pain reports
as CSV rows for a spreadsheet, and the complete record as one JSON document.

The JSON document is for the right of access: the patient's details, every plan (exercises
with their dose, pauses, revisions), every session log (what was done per exercise,
corrections), every pain report, every alert acknowledgement and every message between the
patient and their care team.

Dates and times are ISO 8601 (times in UTC with their offset). People are named by name and
email, not by internal id; records keep their ids so a correction or a revision can be matched
to what it corrects. The document is built in a fixed number of queries however long the
record is.
"""

import json
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.utils import timezone

from messaging.selectors import messages_for_record
from outcomes.selectors import outcomes_record
from patients.models import (
    AlertAcknowledgement,
    PainReport,
    Patient,
    SessionLog,
    SessionLogEntry,
    SessionLogRevision,
)
from prescriptions import schedule
from prescriptions.models import Plan, PlanItem, PlanRevision

RECORD_FORMAT = "rehabit.patient-record"
RECORD_VERSION = 1
# Day names in the file are data, not page text: always these English words, in any language.
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"name": user.full_name, "email": user.email, "role": user.role}


def _when(value) -> str | None:
    return value.isoformat() if value is not None else None


def _dose(row, prefix: str = "") -> dict:
    return {
        "sets": getattr(row, f"{prefix}sets"),
        "repetitions": getattr(row, f"{prefix}repetitions"),
        "hold_seconds": getattr(row, f"{prefix}hold_seconds"),
        "rest_seconds": getattr(row, f"{prefix}rest_seconds"),
        "side": row.side,
    }


def _plan(plan: Plan) -> dict:
    return {
        "id": plan.pk,
        "title": plan.title,
        "notes": plan.notes,
        "status": plan.status,
        "version": plan.version,
        "start_date": _when(plan.start_date),
        "end_date": _when(plan.end_date),
        "times_per_day": plan.times_per_day,
        "weekdays": [WEEKDAYS[day] for day in schedule.days_from_mask(plan.weekdays)],
        "prescribed_by": _person(plan.prescribed_by),
        "template": plan.template.name if plan.template else None,
        "created_at": _when(plan.created_at),
        "updated_at": _when(plan.updated_at),
        "exercises": [
            {
                "id": item.pk,
                "position": item.position,
                "exercise": item.exercise.name,
                "exercise_slug": item.exercise.slug,
                **_dose(item),
                "note": item.note,
            }
            for item in plan.items.all()
        ],
        "pauses": [
            {"paused_on": _when(pause.paused_on), "resumed_on": _when(pause.resumed_on)}
            for pause in plan.pauses.all()
        ],
        "revisions": [
            {
                "number": revision.number,
                "changed_at": _when(revision.changed_at),
                "changed_by": _person(revision.changed_by),
                "summary": revision.summary,
                "plan_after_change": revision.snapshot,
            }
            for revision in plan.revisions.all()
        ],
    }


def _session(session: SessionLog) -> dict:
    return {
        "id": session.pk,
        "plan_id": session.plan_id,
        "plan_version": session.plan_version,
        "performed_at": _when(session.performed_at),
        "performed_on": _when(session.performed_on),
        "pain_before": session.pain_before,
        "pain_after": session.pain_after,
        "difficulty": session.difficulty,
        "note": session.note,
        "flagged": session.is_flagged,
        "flag_reason": session.flag_reason,
        "recorded_by": _person(session.recorded_by),
        "recorded_at": _when(session.created_at),
        "updated_at": _when(session.updated_at),
        "exercises": [
            {
                "position": entry.position,
                "exercise": entry.exercise.name,
                "exercise_slug": entry.exercise.slug,
                "prescribed": _dose(entry, prefix="prescribed_"),
                "status": entry.status,
                "sets_done": entry.sets_done,
                "repetitions_done": entry.repetitions_done,
                "hold_seconds_done": entry.hold_seconds_done,
                "skip_reason": entry.skip_reason,
                "note": entry.note,
            }
            for entry in session.entries.all()
        ],
        "corrections": [
            {
                "revised_at": _when(revision.revised_at),
                "revised_by": _person(revision.revised_by),
                "reason": revision.reason,
                "log_before_correction": revision.previous,
            }
            for revision in session.revisions.all()
        ],
    }


def patient_record(*, patient: Patient) -> dict:
    """The whole record of one patient (already checked to be the caller's to see)."""
    patient = (
        Patient.objects.select_related("clinic", "primary_therapist", "user")
        .prefetch_related(
            Prefetch(
                "plans",
                queryset=Plan.objects.select_related("prescribed_by", "template")
                .prefetch_related(
                    Prefetch(
                        "items",
                        queryset=PlanItem.objects.select_related("exercise").order_by(
                            "position", "id"
                        ),
                    ),
                    "pauses",
                    Prefetch(
                        "revisions",
                        queryset=PlanRevision.objects.select_related("changed_by").order_by(
                            "number"
                        ),
                    ),
                )
                .order_by("start_date", "id"),
            ),
            Prefetch(
                "sessions",
                queryset=SessionLog.objects.select_related("recorded_by")
                .prefetch_related(
                    Prefetch(
                        "entries",
                        queryset=SessionLogEntry.objects.select_related("exercise").order_by(
                            "position", "id"
                        ),
                    ),
                    Prefetch(
                        "revisions",
                        queryset=SessionLogRevision.objects.select_related("revised_by").order_by(
                            "revised_at", "id"
                        ),
                    ),
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
                "alert_acknowledgements",
                queryset=AlertAcknowledgement.objects.select_related("acknowledged_by").order_by(
                    "acknowledged_at", "id"
                ),
            ),
            Prefetch("messages", queryset=messages_for_record()),
        )
        .get(pk=patient.pk)
    )
    return {
        "format": RECORD_FORMAT,
        "version": RECORD_VERSION,
        "generated_at": timezone.now().isoformat(),
        "clinic": {"name": patient.clinic.name, "time_zone": patient.clinic.time_zone},
        "patient": {
            "id": patient.pk,
            "first_name": patient.first_name,
            "last_name": patient.last_name,
            "date_of_birth": _when(patient.date_of_birth),
            "email": patient.email,
            "phone": patient.phone,
            "condition": patient.condition,
            "status": patient.status,
            "discharged_on": _when(patient.discharged_on),
            "primary_therapist": _person(patient.primary_therapist),
            "has_sign_in": patient.user_id is not None,
            "created_at": _when(patient.created_at),
            "updated_at": _when(patient.updated_at),
        },
        "plans": [_plan(plan) for plan in patient.plans.all()],
        "sessions": [_session(session) for session in patient.sessions.all()],
        "pain_reports": [
            {
                "id": report.pk,
                "recorded_at": _when(report.recorded_at),
                "recorded_on": _when(report.recorded_on),
                "score": report.score,
                "body_location": report.body_location,
                "note": report.note,
                "red_flags": list(report.red_flags or []),
                "red_flag_severity": report.red_flag_severity,
                "recorded_by": _person(report.recorded_by),
            }
            for report in patient.pain_reports.all()
        ],
        "alert_acknowledgements": [
            {
                "kind": acknowledgement.kind,
                "event": acknowledgement.event_key,
                "note": acknowledgement.note,
                "acknowledged_at": _when(acknowledgement.acknowledged_at),
                "acknowledged_by": _person(acknowledgement.acknowledged_by),
            }
            for acknowledgement in patient.alert_acknowledgements.all()
        ],
        "messages": [
            {
                "id": message.pk,
                "sent_at": _when(message.created_at),
                "written_by": _person(message.author),
                "text": message.body,
                "corrects_message_id": message.corrects_id,
            }
            for message in patient.messages.all()
        ],
        "outcomes": outcomes_record(patient=patient),
    }


def patient_record_json(*, patient: Patient) -> str:
    return json.dumps(
        patient_record(patient=patient), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
    )


# The CSV export

SESSION_COLUMNS = [
    "session id",
    "performed at",
    "plan",
    "plan version",
    "exercise",
    "prescribed sets",
    "prescribed repetitions",
    "prescribed hold seconds",
    "prescribed rest seconds",
    "side",
    "sets done",
    "repetitions done",
    "hold seconds done",
    "status",
    "skip reason",
    "exercise note",
    "pain before",
    "pain after",
    "difficulty",
    "flagged",
    "flag reason",
    "session note",
]


PAIN_REPORT_COLUMNS = [
    "pain report id",
    "recorded at",
    "pain",
    "where",
    "red flag severity",
    "red flags",
    "note",
]


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> object:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; numbers and
    empty cells pass as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def patient_log_rows(*, patient: Patient) -> Iterator[list]:
    """The patient's whole log as CSV rows: a header and one row per exercise of each session,
    oldest first; then a blank row, a header and one row per pain report. Times are ISO 8601
    in the clinic's time zone. Two queries, read in chunks."""
    zone = patient.clinic.zone
    yield SESSION_COLUMNS
    entries = (
        SessionLogEntry.objects.filter(session__patient=patient)
        .select_related("session__plan", "exercise")
        .order_by("session__performed_at", "session_id", "position", "id")
    )
    for entry in entries.iterator(chunk_size=500):
        session = entry.session
        yield [
            csv_safe(value)
            for value in (
                session.pk,
                timezone.localtime(session.performed_at, zone).isoformat(),
                session.plan.title,
                session.plan_version,
                entry.exercise.name,
                entry.prescribed_sets,
                entry.prescribed_repetitions,
                entry.prescribed_hold_seconds,
                entry.prescribed_rest_seconds,
                entry.side,
                entry.sets_done,
                entry.repetitions_done,
                entry.hold_seconds_done,
                entry.status,
                entry.skip_reason,
                entry.note,
                "" if session.pain_before is None else session.pain_before,
                "" if session.pain_after is None else session.pain_after,
                session.difficulty,
                "yes" if session.is_flagged else "no",
                session.flag_reason,
                session.note,
            )
        ]
    yield []
    yield PAIN_REPORT_COLUMNS
    reports = PainReport.objects.filter(patient=patient).order_by("recorded_at", "id")
    for report in reports.iterator(chunk_size=500):
        yield [
            csv_safe(value)
            for value in (
                report.pk,
                timezone.localtime(report.recorded_at, zone).isoformat(),
                report.score,
                report.body_location,
                report.red_flag_severity,
                " ".join(report.red_flags or []),
                report.note,
            )
        ]
