"""One patient's home exercise program as a FHIR R4 Bundle (type `collection`) for other health
record systems: the patient, a CarePlan per plan, a ServiceRequest per exercise of a plan (the
dose and schedule), an ActivityDefinition per exercise, a Procedure per logged session, and
Observations for pain (reports and the pain before and after a session) and the outcome scores.

The mapping follows the HL7 Physical Activity IG where it fits (its PhysicalActivity category on
the plan, the orders and the sessions) without claiming its US Core based profiles. What each
field holds, the extensions and the code systems are in docs/fhir.md; a change here changes
that page too.

Resource ids are made from the record's own ids (`careplan-12`), so a second export names the
same things the same way, and every reference is relative (`CarePlan/careplan-12`) to an entry
of the same bundle.
"""

import datetime

from django.utils import timezone

from exercises.models import Exercise
from outcomes.models import OutcomeEntry, Source
from outcomes.scores import Measure
from patients.models import EntryStatus, PainReport, Patient, SessionLog, SessionLogEntry
from prescriptions import schedule
from prescriptions.models import Plan, PlanItem, PlanStatus

from .selectors.fhir import FhirRecord, fhir_record

CONTENT_TYPE = "application/fhir+json; charset=utf-8"
# Where the REST API serves the same resources: a downloaded file names each resource by the
# address the API would give it, so a file and an API read of one patient agree.
FHIR_BASE_PATH = "/api/fhir/"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
PATIENT_IDENTIFIER_SYSTEM = "urn:rehabit:patient"
# Rehabit's own definitions: names, not web pages (the .example domain never resolves).
REHABIT = "https://rehabit.example/fhir/"
EXTENSION = REHABIT + "StructureDefinition/"
EXTENSION_SETS = EXTENSION + "exercise-sets"
EXTENSION_REPETITIONS = EXTENSION + "exercise-repetitions"
EXTENSION_HOLD_SECONDS = EXTENSION + "exercise-hold-seconds"
EXTENSION_REST_SECONDS = EXTENSION + "exercise-rest-seconds"
EXTENSION_SIDE = EXTENSION + "exercise-side"
EXTENSION_PERFORMED = EXTENSION + "exercise-performed"
EXTENSION_PAIN_TIMING = EXTENSION + "session-pain-timing"
OUTCOME_CODE_SYSTEM = REHABIT + "CodeSystem/outcome-measure"

EXERCISE_THERAPY = {"system": SNOMED, "code": "229065009", "display": "Exercise therapy"}
PHYSICAL_THERAPY_PROCEDURE = {
    "system": SNOMED,
    "code": "91251008",
    "display": "Physical therapy procedure",
}
PAIN_SEVERITY = {
    "system": LOINC,
    "code": "72514-3",
    "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
}
ODI_SCORE = {"system": LOINC, "code": "97909-6", "display": "Oswestry disability index score ODI"}
PHYSICAL_ACTIVITY = {
    "coding": [
        {
            "system": "http://hl7.org/fhir/us/physical-activity/CodeSystem/pa-temporary-codes",
            "code": "PhysicalActivity",
            "display": "Physical Activity",
        }
    ]
}
SURVEY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}

# A plan's status as a CarePlan's and its ServiceRequests' (FHIR's request-status): a paused
# plan is kept to resume, a discontinued one was stopped before its end.
REQUEST_STATUS = {
    PlanStatus.ACTIVE: "active",
    PlanStatus.PAUSED: "on-hold",
    PlanStatus.COMPLETED: "completed",
    PlanStatus.DISCONTINUED: "revoked",
}
DAYS_OF_WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

# The outcome measures: how each is coded and what its value's unit is. ODI has a LOINC code;
# PSFS and NDI totals are named by Rehabit's code system alone (docs/fhir.md says why).
OUTCOME_CODES = {
    Measure.PSFS: {
        "coding": [
            {
                "system": OUTCOME_CODE_SYSTEM,
                "code": "psfs",
                "display": "Patient-Specific Functional Scale, mean of the activities' ratings",
            }
        ],
        "text": "PSFS (mean of the activities' ratings, 0-10)",
    },
    Measure.ODI: {
        "coding": [
            ODI_SCORE,
            {"system": OUTCOME_CODE_SYSTEM, "code": "odi", "display": "Oswestry Disability Index"},
        ],
        "text": "Oswestry Disability Index (0-100 %)",
    },
    Measure.NDI: {
        "coding": [
            {
                "system": OUTCOME_CODE_SYSTEM,
                "code": "ndi",
                "display": "Neck Disability Index, total points",
            }
        ],
        "text": "Neck Disability Index (0-50 points)",
    },
}
PSFS_ACTIVITY = {
    "system": OUTCOME_CODE_SYSTEM,
    "code": "psfs-activity",
    "display": "PSFS rating of one activity",
}
SCORE_UNIT = {"unit": "score", "system": UCUM, "code": "{score}"}
PERCENT_UNIT = {"unit": "%", "system": UCUM, "code": "%"}


def patient_bundle(*, patient: Patient, base_url: str) -> dict:
    """The patient's program as a JSON-ready FHIR R4 Bundle. `base_url` is the absolute FHIR
    base the entries' fullUrls start with, such as https://clinic.example/api/fhir/. The caller
    has already checked that the patient is theirs to see, and records the audit row."""
    return ProgramBundle(record=fhir_record(patient=patient), base_url=base_url).as_dict()


def _ref(resource_type: str, resource_id: str) -> dict:
    return {"reference": f"{resource_type}/{resource_id}"}


def _care_plan(plan_id: int) -> dict:
    return _ref("CarePlan", f"careplan-{plan_id}")


def _service_request(item_id: int) -> dict:
    return _ref("ServiceRequest", f"servicerequest-{item_id}")


def _meta(updated_at: datetime.datetime, version: int | None = None) -> dict:
    meta = {"lastUpdated": updated_at.isoformat()}
    if version is not None:
        meta["versionId"] = str(version)
    return meta


def _integer_extension(url: str, value: int) -> dict:
    return {"url": url, "valueInteger": value}


def _dose_extensions(row: PlanItem) -> list[dict]:
    return [
        _integer_extension(EXTENSION_SETS, row.sets),
        _integer_extension(EXTENSION_REPETITIONS, row.repetitions),
        _integer_extension(EXTENSION_HOLD_SECONDS, row.hold_seconds),
        _integer_extension(EXTENSION_REST_SECONDS, row.rest_seconds),
        {"url": EXTENSION_SIDE, "valueCode": row.side},
    ]


def _computable_name(exercise: Exercise) -> str:
    # FHIR asks for a name usable as an identifier: a capital letter, then letters and digits.
    words = [part for part in exercise.slug.replace("_", "-").split("-") if part.isalnum()]
    name = "".join(word[:1].upper() + word[1:] for word in words)
    if not name or not name[0].isalpha():
        name = f"Exercise{exercise.pk}{name}"
    return name[:255]


class ProgramBundle:
    """The mapping from a patient's record to FHIR resources, one method per resource type."""

    def __init__(self, *, record: FhirRecord, base_url: str):
        self.record = record
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.patient = record.patient
        self.patient_id = f"patient-{self.patient.pk}"
        self.exercises = {exercise.pk: exercise for exercise in record.exercises}
        self.item_ids = {item.pk for plan in record.plans for item in plan.items.all()}

    def as_dict(self) -> dict:
        resources = [self.patient_resource()]
        resources += [self.activity_definition(exercise) for exercise in self.record.exercises]
        for plan in self.record.plans:
            resources.append(self.care_plan(plan))
            resources += [self.service_request(plan, item) for item in plan.items.all()]
        for session in self.record.sessions:
            resources.append(self.procedure(session))
            resources += self.session_pain(session)
        resources += [self.pain_report(report) for report in self.record.pain_reports]
        resources += [self.outcome(entry) for entry in self.record.outcome_entries]
        return {
            "resourceType": "Bundle",
            "id": f"patient-{self.patient.pk}-program",
            "type": "collection",
            "timestamp": timezone.now().isoformat(),
            "entry": [
                {
                    "fullUrl": f"{self.base_url}{resource['resourceType']}/{resource['id']}",
                    "resource": resource,
                }
                for resource in resources
            ],
        }

    # People ------------------------------------------------------------------------------------

    @property
    def subject(self) -> dict:
        return _ref("Patient", self.patient_id)

    def person(self, user) -> dict:
        """Who recorded something: the patient's own reference when it was them, else a staff
        member by name (Rehabit exports no Practitioner resources)."""
        if user.pk is not None and user.pk == self.patient.user_id:
            return self.subject
        return {"display": user.full_name}

    def patient_resource(self) -> dict:
        patient = self.patient
        resource = {
            "resourceType": "Patient",
            "id": self.patient_id,
            "meta": _meta(patient.updated_at),
            "identifier": [
                {"use": "usual", "system": PATIENT_IDENTIFIER_SYSTEM, "value": str(patient.pk)}
            ],
            "name": [
                {
                    "use": "official",
                    "text": patient.full_name,
                    "family": patient.last_name,
                    "given": [patient.first_name],
                }
            ],
            "managingOrganization": {"display": patient.clinic.name},
        }
        telecom = []
        if patient.phone:
            telecom.append({"system": "phone", "value": patient.phone})
        if patient.email:
            telecom.append({"system": "email", "value": patient.email})
        if telecom:
            resource["telecom"] = telecom
        if patient.date_of_birth:
            resource["birthDate"] = patient.date_of_birth.isoformat()
        if patient.primary_therapist:
            resource["generalPractitioner"] = [{"display": patient.primary_therapist.full_name}]
        return resource

    # The program -------------------------------------------------------------------------------

    def activity_definition_url(self, exercise_id: int) -> str:
        return f"{self.base_url}ActivityDefinition/activitydefinition-{exercise_id}"

    def activity_definition(self, exercise: Exercise) -> dict:
        description = [exercise.summary] if exercise.summary else []
        steps = [f"{step.position}. {step.text}" for step in exercise.steps.all()]
        if steps:
            description.append("\n".join(steps))
        resource = {
            "resourceType": "ActivityDefinition",
            "id": f"activitydefinition-{exercise.pk}",
            "meta": _meta(exercise.updated_at),
            "url": self.activity_definition_url(exercise.pk),
            "name": _computable_name(exercise),
            "title": exercise.name,
            # An archived exercise stays in the plans and logs that used it but is no longer
            # prescribed.
            "status": "retired" if exercise.is_archived else "active",
            "kind": "ServiceRequest",
            "code": {"coding": [EXERCISE_THERAPY], "text": exercise.name},
            "topic": [
                {"text": f"{exercise.get_kind_display()}, {exercise.get_body_region_display()}"}
            ],
            "participant": [{"type": "patient"}],
        }
        if description:
            resource["description"] = "\n\n".join(description)
        if exercise.caution_list:
            resource["usage"] = "\n".join(exercise.caution_list)
        return resource

    def care_plan(self, plan: Plan) -> dict:
        therapist = {"display": plan.prescribed_by.full_name}
        period = {"start": plan.start_date.isoformat()}
        if plan.end_date:
            period["end"] = plan.end_date.isoformat()
        resource = {
            "resourceType": "CarePlan",
            "id": f"careplan-{plan.pk}",
            "meta": _meta(plan.updated_at, version=plan.version),
            "status": REQUEST_STATUS[plan.status],
            "intent": "plan",
            "category": [PHYSICAL_ACTIVITY],
            "title": plan.title,
            "subject": self.subject,
            "period": period,
            "created": plan.created_at.isoformat(),
            "author": therapist,
            "contributor": [therapist],
            "activity": [{"reference": _service_request(item.pk)} for item in plan.items.all()],
        }
        if plan.notes:
            resource["description"] = plan.notes
        pauses = [
            f"Paused from {pause.paused_on.isoformat()} to {pause.resumed_on.isoformat()}."
            if pause.resumed_on
            else f"Paused since {pause.paused_on.isoformat()}."
            for pause in plan.pauses.all()
        ]
        if pauses:
            resource["note"] = [{"text": text} for text in pauses]
        return resource

    def service_request(self, plan: Plan, item: PlanItem) -> dict:
        exercise = self.exercises[item.exercise_id]
        bounds = {"start": plan.start_date.isoformat()}
        if plan.end_date:
            bounds["end"] = plan.end_date.isoformat()
        instruction = f"{exercise.name}: {item.dose_text}; {plan.schedule_text}."
        if item.note:
            instruction += f" {item.note}"
        return {
            "resourceType": "ServiceRequest",
            "id": f"servicerequest-{item.pk}",
            "meta": _meta(plan.updated_at, version=plan.version),
            "extension": _dose_extensions(item),
            "instantiatesCanonical": [self.activity_definition_url(exercise.pk)],
            "basedOn": [_care_plan(plan.pk)],
            "status": REQUEST_STATUS[plan.status],
            "intent": "order",
            "category": [PHYSICAL_ACTIVITY, {"coding": [PHYSICAL_THERAPY_PROCEDURE]}],
            "code": {"coding": [EXERCISE_THERAPY], "text": exercise.name},
            "orderDetail": [{"text": item.dose_text}, {"text": plan.schedule_text}],
            "subject": self.subject,
            "occurrenceTiming": {
                "repeat": {
                    "boundsPeriod": bounds,
                    "frequency": plan.times_per_day,
                    "period": 1,
                    "periodUnit": "d",
                    "dayOfWeek": [
                        DAYS_OF_WEEK[day] for day in schedule.days_from_mask(plan.weekdays)
                    ],
                }
            },
            "authoredOn": plan.created_at.isoformat(),
            "requester": {"display": plan.prescribed_by.full_name},
            "patientInstruction": instruction,
        }

    # What the patient did ----------------------------------------------------------------------

    def performed(self, entry: SessionLogEntry) -> tuple[dict, str]:
        """One exercise of a session: the extension that says what was done, and the same in
        words for the Procedure's notes."""
        exercise = self.exercises[entry.exercise_id]
        parts = [
            {
                "url": "exercise",
                "valueReference": _ref("ActivityDefinition", f"activitydefinition-{exercise.pk}"),
            },
        ]
        # A plan item removed by a later revision is no longer in the bundle to point at.
        if entry.plan_item_id in self.item_ids:
            parts.append(
                {
                    "url": "request",
                    "valueReference": _service_request(entry.plan_item_id),
                }
            )
        parts.append({"url": "status", "valueCode": entry.status})
        prescribed = entry.prescribed_dose_text
        parts.append({"url": "prescribed", "valueString": prescribed})
        if entry.status == EntryStatus.SKIPPED:
            parts.append({"url": "skipReason", "valueCode": entry.skip_reason})
            text = f"{exercise.name}: skipped ({entry.get_skip_reason_display().lower()})"
        else:
            parts += [
                {"url": "setsDone", "valueInteger": entry.sets_done},
                {"url": "repetitionsDone", "valueInteger": entry.repetitions_done},
                {"url": "holdSecondsDone", "valueInteger": entry.hold_seconds_done},
            ]
            done = entry.done_dose_text
            text = f"{exercise.name}: {entry.get_status_display().lower()}, {done}"
        text += f" (prescribed: {prescribed})."
        if entry.note:
            text += f" {entry.note}"
        return {"url": EXTENSION_PERFORMED, "extension": parts}, text

    def procedure(self, session: SessionLog) -> dict:
        entries = list(session.entries.all())
        performed = [self.performed(entry) for entry in entries]
        based_on = [_care_plan(session.plan_id)]
        based_on += [
            _service_request(entry.plan_item_id)
            for entry in entries
            if entry.plan_item_id in self.item_ids
        ]
        notes = [text for _extension, text in performed]
        if session.difficulty:
            notes.append(f"How it felt: {session.get_difficulty_display().lower()}.")
        if session.note:
            notes.append(f"Patient's note: {session.note}")
        if session.is_flagged:
            notes.append(f"Flagged for the therapist: {session.flag_reason}.")
        resource = {
            "resourceType": "Procedure",
            "id": f"procedure-session-{session.pk}",
            "meta": _meta(session.updated_at),
            "basedOn": based_on,
            # A log whose every exercise was skipped records that the session did not happen.
            "status": "not-done"
            if entries and all(entry.status == EntryStatus.SKIPPED for entry in entries)
            else "completed",
            "category": PHYSICAL_ACTIVITY,
            "code": {"coding": [EXERCISE_THERAPY], "text": "Home exercise session"},
            "subject": self.subject,
            "performedDateTime": session.performed_at.isoformat(),
            "recorder": self.person(session.recorded_by),
            "performer": [{"actor": self.subject}],
        }
        if resource["status"] == "not-done":
            resource["statusReason"] = {"text": "Every exercise was skipped."}
        if performed:
            resource["extension"] = [extension for extension, _text in performed]
        if notes:
            resource["note"] = [{"text": text} for text in notes]
        return resource

    # Observations ------------------------------------------------------------------------------

    def pain(self, *, resource_id: str, value: int, when: datetime.datetime, performer) -> dict:
        return {
            "resourceType": "Observation",
            "id": resource_id,
            "status": "final",
            "category": [SURVEY],
            "code": {"coding": [PAIN_SEVERITY], "text": "Pain (0-10)"},
            "subject": self.subject,
            "effectiveDateTime": when.isoformat(),
            "performer": [performer],
            "valueInteger": value,
        }

    def session_pain(self, session: SessionLog) -> list[dict]:
        observations = []
        for timing, value in (("before", session.pain_before), ("after", session.pain_after)):
            if value is None:
                continue
            observation = self.pain(
                resource_id=f"observation-session-{session.pk}-pain-{timing}",
                value=value,
                when=session.performed_at,
                performer=self.subject,
            )
            observation["extension"] = [{"url": EXTENSION_PAIN_TIMING, "valueCode": timing}]
            observation["partOf"] = [_ref("Procedure", f"procedure-session-{session.pk}")]
            observation["note"] = [{"text": f"Pain {timing} the home exercise session."}]
            observations.append(observation)
        return observations

    def pain_report(self, report: PainReport) -> dict:
        observation = self.pain(
            resource_id=f"observation-painreport-{report.pk}",
            value=report.score,
            when=report.recorded_at,
            performer=self.person(report.recorded_by),
        )
        if report.body_location:
            observation["bodySite"] = {"text": report.body_location}
        if report.note:
            observation["note"] = [{"text": report.note}]
        return observation

    def outcome(self, entry: OutcomeEntry) -> dict:
        observation = {
            "resourceType": "Observation",
            "id": f"observation-outcome-{entry.pk}",
            "status": "final",
            "category": [SURVEY],
            "code": OUTCOME_CODES[entry.measure],
            "subject": self.subject,
            "effectiveDateTime": entry.assessed_on.isoformat(),
            "issued": entry.recorded_at.isoformat(),
            "performer": [
                self.subject if entry.source == Source.PATIENT else self.person(entry.recorded_by)
            ],
        }
        if entry.measure == Measure.PSFS:
            ratings = list(entry.ratings.all())
            if ratings:
                mean = sum(rating.rating for rating in ratings) / len(ratings)
                observation["valueQuantity"] = {"value": round(mean, 2), **SCORE_UNIT}
                observation["component"] = [
                    {
                        "code": {"coding": [PSFS_ACTIVITY], "text": rating.activity.name},
                        "valueInteger": rating.rating,
                    }
                    for rating in ratings
                ]
        else:
            unit = PERCENT_UNIT if entry.measure == Measure.ODI else SCORE_UNIT
            observation["valueQuantity"] = {"value": entry.total, **unit}
        if entry.supersedes_id:
            observation["note"] = [{"text": f"Corrects an earlier score: {entry.note}"}]
        return observation
