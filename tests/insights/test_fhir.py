"""One patient's program as a FHIR R4 Bundle: what it holds, that every resource is valid FHIR,
that it names things the same way every time and points only inside itself, and who may
download it."""

import datetime
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from clinics.models import AuditAction, AuditEvent
from devdata.demo import demo_seed
from devdata.history import entry_skipped
from insights.fhir import (
    EXTENSION_HOLD_SECONDS,
    EXTENSION_PAIN_TIMING,
    EXTENSION_PERFORMED,
    EXTENSION_REPETITIONS,
    EXTENSION_REST_SECONDS,
    EXTENSION_SETS,
    EXTENSION_SIDE,
    OUTCOME_CODE_SYSTEM,
    PATIENT_IDENTIFIER_SYSTEM,
    patient_bundle,
)
from outcomes import services as outcomes_services
from patients.models import EntryStatus, Patient, SkipReason
from patients.services import (
    EntryCorrection,
    EntryInput,
    pain_report_record,
    session_log_correct,
    session_log_record,
)
from prescriptions.models import PlanStatus
from prescriptions.schedule import mask_from_days
from prescriptions.services import ItemInput, plan_create, plan_status_change
from tests.exercises.factories import ExerciseFactory
from tests.patients.factories import PatientFactory

BASE = "https://clinic.example/api/fhir/"
RESOURCE_TYPES = {
    "Patient",
    "ActivityDefinition",
    "CarePlan",
    "ServiceRequest",
    "Procedure",
    "Observation",
}


def download_url(patient):
    return reverse("insights:patient-fhir", args=[patient.pk])


def days_ago(patient, days: int) -> datetime.date:
    return patient.clinic.today() - datetime.timedelta(days=days)


def resources(bundle, resource_type=None) -> list[dict]:
    return [
        entry["resource"]
        for entry in bundle["entry"]
        if resource_type is None or entry["resource"]["resourceType"] == resource_type
    ]


def by_id(bundle) -> dict[str, dict]:
    return {resource["id"]: resource for resource in resources(bundle)}


def extension(resource, url):
    (found,) = [item for item in resource.get("extension", []) if item["url"] == url]
    return found


def parts(performed) -> dict:
    return {
        part["url"]: next(value for key, value in part.items() if key.startswith("value"))
        for part in performed["extension"]
    }


def references(value) -> list[str]:
    """Every `reference` anywhere in a resource."""
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [ref for item in value.values() for ref in references(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in references(item)]
    return []


def prescribe(patient, therapist, exercises, *, title="Back spasm relief", **plan_fields):
    return plan_create(
        patient=patient,
        prescribed_by=therapist,
        title=title,
        start_date=days_ago(patient, 10),
        items=[
            ItemInput.from_exercise(exercises[0], sets=2, repetitions=3, hold_seconds=30),
            *(ItemInput.from_exercise(exercise) for exercise in exercises[1:]),
        ],
        **plan_fields,
    )


def log(patient, plan, *, hours_ago, entries=None, **values):
    return session_log_record(
        patient=patient,
        plan=plan,
        performed_at=timezone.now() - datetime.timedelta(hours=hours_ago),
        entries=entries or [EntryInput.as_prescribed(item) for item in plan.items.all()],
        client_token=uuid.uuid4(),
        recorded_by=patient.user,
        **values,
    )


@pytest.fixture
def patient(patient):
    """The owner's patient, added 60 days ago so outcome scores can be dated in the past."""
    Patient.objects.filter(pk=patient.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=60),
        date_of_birth=datetime.date(1970, 5, 17),
        phone="+1 555 0100",
    )
    patient.refresh_from_db()
    return patient


@pytest.fixture
def exercises(clinic):
    return [
        ExerciseFactory(
            clinic=clinic,
            name="Knee-to-chest stretch",
            slug="knee-to-chest",
            steps=["Lie on your back, knees bent.", "Bring both knees to your chest."],
        ),
        ExerciseFactory(
            clinic=clinic,
            name="Hamstring stretch",
            slug="hamstring-stretch",
            is_sided=True,
            default_repetitions=2,
            default_hold_seconds=20,
            default_rest_seconds=15,
        ),
    ]


@pytest.fixture
def program(patient, therapist, exercises):
    """A plan on weekdays twice a day, a full session whose pain the patient corrected, a
    session with one exercise partly done and one skipped, a pain report, and PSFS and ODI
    scores each corrected once, with an NDI total beside them; all through the services."""
    plan = prescribe(
        patient,
        therapist,
        exercises,
        times_per_day=2,
        weekdays=mask_from_days([0, 2, 4]),
        notes="Ease the spasm; walk daily.",
    )
    knee, hamstring = plan.items.order_by("position")
    full = log(patient, plan, hours_ago=30, pain_before=4, pain_after=3, note="Felt looser")
    session_log_correct(session=full, corrected_by=patient.user, pain_after=2, reason="typo")
    mixed = log(
        patient,
        plan,
        hours_ago=5,
        pain_before=5,
        pain_after=5,
        entries=[
            EntryInput(
                plan_item=knee,
                status=EntryStatus.PARTIAL,
                sets_done=1,
                repetitions_done=3,
                hold_seconds_done=30,
            ),
            entry_skipped(hamstring, reason=SkipReason.NO_TIME),
        ],
    )
    report = pain_report_record(
        patient=patient, score=6, recorded_by=patient.user, body_location="lower back"
    )
    activities = outcomes_services.psfs_activities_add(
        patient=patient,
        names=["Walking to work", "Putting on socks", "Sitting through a film"],
        by=patient.user,
    )
    first_psfs = outcomes_services.psfs_record(
        patient=patient,
        ratings={activity.pk: 3 for activity in activities},
        assessed_on=days_ago(patient, 20),
        by=patient.user,
    )
    psfs = outcomes_services.entry_correct(
        entry=first_psfs,
        by=therapist,
        assessed_on=first_psfs.assessed_on,
        ratings=dict(zip([a.pk for a in activities], [2, 4, 7], strict=True)),
        note="Tapped the wrong number",
    )
    first_odi = outcomes_services.total_record(
        patient=patient, measure="odi", total=50, assessed_on=days_ago(patient, 20), by=therapist
    )
    odi = outcomes_services.entry_correct(
        entry=first_odi,
        by=therapist,
        assessed_on=first_odi.assessed_on,
        total=40,
        note="Added up wrongly",
    )
    ndi = outcomes_services.total_record(
        patient=patient, measure="ndi", total=18, assessed_on=days_ago(patient, 3), by=therapist
    )
    return {
        "plan": plan,
        "knee": knee,
        "hamstring": hamstring,
        "full": full,
        "mixed": mixed,
        "report": report,
        "psfs": psfs,
        "first_psfs": first_psfs,
        "odi": odi,
        "first_odi": first_odi,
        "ndi": ndi,
    }


# Valid FHIR


def test_every_resource_and_the_bundle_validate_with_the_r4b_models(patient, program):
    bundle = patient_bundle(patient=patient, base_url=BASE)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    assert {resource["resourceType"] for resource in resources(bundle)} == RESOURCE_TYPES
    for resource in resources(bundle):
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    Bundle.model_validate(bundle)


def test_the_bundle_survives_a_round_trip(patient, program):
    parsed = Bundle.model_validate(patient_bundle(patient=patient, base_url=BASE))
    again = Bundle.model_validate_json(parsed.model_dump_json())
    assert again == parsed
    assert again.model_dump_json() == parsed.model_dump_json()


def test_a_patient_with_nothing_yet_is_a_bundle_of_one_valid_patient(therapist):
    newcomer = PatientFactory(primary_therapist=therapist, email="", phone="")
    bundle = patient_bundle(patient=newcomer, base_url=BASE)
    (resource,) = resources(bundle)
    assert resource["resourceType"] == "Patient" and "telecom" not in resource
    Bundle.model_validate(bundle)


def test_the_demo_patients_bundles_validate(db):
    demo_seed()
    pat = Patient.objects.get(email="patient@example.com")
    bundle = patient_bundle(patient=pat, base_url=BASE)
    kinds = {resource["resourceType"] for resource in resources(bundle)}
    assert kinds == RESOURCE_TYPES
    assert any(resource["id"].startswith("observation-outcome-") for resource in resources(bundle))
    Bundle.model_validate(bundle)
    for other in Patient.objects.exclude(pk=pat.pk):
        Bundle.model_validate(patient_bundle(patient=other, base_url=BASE))


# Ids and references


def test_ids_are_the_same_in_a_second_export_and_only_the_timestamp_differs(patient, program):
    first = patient_bundle(patient=patient, base_url=BASE)
    second = patient_bundle(patient=patient, base_url=BASE)
    assert first["entry"] == second["entry"]
    assert first["id"] == second["id"] == f"patient-{patient.pk}-program"
    plan = program["plan"]
    assert f"careplan-{plan.pk}" in by_id(first)
    assert f"servicerequest-{program['knee'].pk}" in by_id(first)
    assert f"procedure-session-{program['full'].pk}" in by_id(first)


def test_a_new_session_adds_entries_and_renames_none(patient, program):
    before = [entry["fullUrl"] for entry in patient_bundle(patient=patient, base_url=BASE)["entry"]]
    log(patient, program["plan"], hours_ago=1, pain_before=2, pain_after=1)
    after = [entry["fullUrl"] for entry in patient_bundle(patient=patient, base_url=BASE)["entry"]]
    assert set(before) < set(after)
    assert len(set(after) - set(before)) == 3  # the session and its two pain values


def test_every_reference_resolves_inside_the_bundle_and_no_entry_repeats(patient, program):
    bundle = patient_bundle(patient=patient, base_url=BASE)
    full_urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(full_urls) == len(set(full_urls))
    local = set()
    for entry in bundle["entry"]:
        resource = entry["resource"]
        assert entry["fullUrl"] == f"{BASE}{resource['resourceType']}/{resource['id']}"
        local.add(f"{resource['resourceType']}/{resource['id']}")
    pointed_at = references(bundle)
    assert pointed_at and set(pointed_at) <= local
    canonicals = [
        url
        for request in resources(bundle, "ServiceRequest")
        for url in request["instantiatesCanonical"]
    ]
    assert set(canonicals) <= set(full_urls)


def test_the_base_url_may_come_without_its_last_slash(patient, program):
    bundle = patient_bundle(patient=patient, base_url=BASE.rstrip("/"))
    assert bundle["entry"][0]["fullUrl"] == f"{BASE}Patient/patient-{patient.pk}"


# What each resource says


def test_the_patient_as_the_record_has_them(patient, program):
    (resource,) = resources(patient_bundle(patient=patient, base_url=BASE), "Patient")
    assert resource["identifier"] == [
        {"use": "usual", "system": PATIENT_IDENTIFIER_SYSTEM, "value": str(patient.pk)}
    ]
    assert resource["name"][0]["family"] == "Ient" and resource["name"][0]["given"] == ["Pat"]
    assert resource["birthDate"] == "1970-05-17"
    assert {"system": "email", "value": patient.email} in resource["telecom"]
    assert {"system": "phone", "value": "+1 555 0100"} in resource["telecom"]
    assert resource["generalPractitioner"] == [{"display": "Tess Owner"}]


def test_the_care_plan_lists_its_orders_and_follows_the_plan(patient, program):
    plan, knee, hamstring = program["plan"], program["knee"], program["hamstring"]
    care_plan = by_id(patient_bundle(patient=patient, base_url=BASE))[f"careplan-{plan.pk}"]
    assert (care_plan["status"], care_plan["intent"]) == ("active", "plan")
    assert care_plan["title"] == "Back spasm relief"
    assert care_plan["description"] == "Ease the spasm; walk daily."
    assert care_plan["period"] == {"start": plan.start_date.isoformat()}
    assert care_plan["author"] == {"display": "Tess Owner"}
    assert [activity["reference"] for activity in care_plan["activity"]] == [
        {"reference": f"ServiceRequest/servicerequest-{knee.pk}"},
        {"reference": f"ServiceRequest/servicerequest-{hamstring.pk}"},
    ]


@pytest.mark.parametrize(
    ("status", "fhir_status"),
    [
        (PlanStatus.PAUSED, "on-hold"),
        (PlanStatus.COMPLETED, "completed"),
        (PlanStatus.DISCONTINUED, "revoked"),
    ],
)
def test_a_plan_that_stopped_or_paused_says_so_in_the_plan_and_its_orders(
    patient, therapist, exercises, status, fhir_status
):
    plan = prescribe(patient, therapist, exercises)
    plan = plan_status_change(plan=plan, status=status, changed_by=therapist)
    found = by_id(patient_bundle(patient=patient, base_url=BASE))
    care_plan = found[f"careplan-{plan.pk}"]
    assert care_plan["status"] == fhir_status
    assert {found[f"servicerequest-{item.pk}"]["status"] for item in plan.items.all()} == {
        fhir_status
    }
    if status == PlanStatus.PAUSED:
        assert care_plan["note"] == [{"text": f"Paused since {patient.clinic.today()}."}]
    else:
        assert care_plan["period"]["end"] == patient.clinic.today().isoformat()


def test_each_order_carries_the_dose_and_the_schedule(patient, program):
    knee, hamstring = program["knee"], program["hamstring"]
    found = by_id(patient_bundle(patient=patient, base_url=BASE))
    request = found[f"servicerequest-{knee.pk}"]
    assert (request["intent"], request["status"]) == ("order", "active")
    assert request["code"]["coding"] == [
        {"system": "http://snomed.info/sct", "code": "229065009", "display": "Exercise therapy"}
    ]
    assert request["code"]["text"] == "Knee-to-chest stretch"
    assert request["basedOn"] == [{"reference": f"CarePlan/careplan-{program['plan'].pk}"}]
    assert request["instantiatesCanonical"] == [
        f"{BASE}ActivityDefinition/activitydefinition-{knee.exercise_id}"
    ]
    assert request["occurrenceTiming"]["repeat"] == {
        "boundsPeriod": {"start": program["plan"].start_date.isoformat()},
        "frequency": 2,
        "period": 1,
        "periodUnit": "d",
        "dayOfWeek": ["mon", "wed", "fri"],
    }
    assert extension(request, EXTENSION_SETS)["valueInteger"] == 2
    assert extension(request, EXTENSION_REPETITIONS)["valueInteger"] == 3
    assert extension(request, EXTENSION_HOLD_SECONDS)["valueInteger"] == 30
    assert extension(request, EXTENSION_REST_SECONDS)["valueInteger"] == 10
    assert extension(request, EXTENSION_SIDE)["valueCode"] == "none"
    assert request["orderDetail"][0]["text"] == knee.dose_text
    assert request["patientInstruction"] == (
        f"Knee-to-chest stretch: {knee.dose_text}; twice a day, on Monday, Wednesday and Friday."
    )
    sided = found[f"servicerequest-{hamstring.pk}"]
    assert extension(sided, EXTENSION_SIDE)["valueCode"] == "both"
    assert extension(sided, EXTENSION_REST_SECONDS)["valueInteger"] == 15
    assert "on each side" in sided["patientInstruction"]


def test_each_exercise_used_is_an_activity_definition_with_its_steps(patient, program):
    knee = program["knee"]
    found = by_id(patient_bundle(patient=patient, base_url=BASE))
    definition = found[f"activitydefinition-{knee.exercise_id}"]
    assert definition["title"] == "Knee-to-chest stretch"
    assert definition["name"] == "KneeToChest"
    assert (definition["status"], definition["kind"]) == ("active", "ServiceRequest")
    assert definition["url"] == f"{BASE}ActivityDefinition/activitydefinition-{knee.exercise_id}"
    assert definition["description"] == (
        "A gentle stretch.\n\n1. Lie on your back, knees bent.\n2. Bring both knees to your chest."
    )
    assert "Stop if it hurts" in definition["usage"]


def test_pain_values_are_observations_with_the_current_values(patient, program):
    full, mixed, report = program["full"], program["mixed"], program["report"]
    bundle = patient_bundle(patient=patient, base_url=BASE)
    pain = {
        observation["id"]: observation
        for observation in resources(bundle, "Observation")
        if observation["code"]["coding"][0]["code"] == "72514-3"
    }
    assert {key: value["valueInteger"] for key, value in pain.items()} == {
        f"observation-session-{full.pk}-pain-before": 4,
        f"observation-session-{full.pk}-pain-after": 2,  # corrected from 3
        f"observation-session-{mixed.pk}-pain-before": 5,
        f"observation-session-{mixed.pk}-pain-after": 5,
        f"observation-painreport-{report.pk}": 6,
    }
    after = pain[f"observation-session-{full.pk}-pain-after"]
    assert extension(after, EXTENSION_PAIN_TIMING)["valueCode"] == "after"
    assert after["partOf"] == [{"reference": f"Procedure/procedure-session-{full.pk}"}]
    assert after["effectiveDateTime"] == full.performed_at.isoformat()
    assert after["status"] == "final"
    assert after["category"][0]["coding"][0]["code"] == "survey"
    reported = pain[f"observation-painreport-{report.pk}"]
    assert reported["bodySite"] == {"text": "lower back"}
    assert reported["performer"] == [{"reference": f"Patient/patient-{patient.pk}"}]


def test_sessions_are_procedures_with_the_dose_done_and_skips_noted(patient, program):
    full, mixed = program["full"], program["mixed"]
    knee, hamstring = program["knee"], program["hamstring"]
    found = by_id(patient_bundle(patient=patient, base_url=BASE))
    done = found[f"procedure-session-{full.pk}"]
    assert done["status"] == "completed"
    assert done["performedDateTime"] == full.performed_at.isoformat()
    assert done["code"]["coding"][0]["code"] == "229065009"
    assert done["basedOn"] == [
        {"reference": f"CarePlan/careplan-{program['plan'].pk}"},
        {"reference": f"ServiceRequest/servicerequest-{knee.pk}"},
        {"reference": f"ServiceRequest/servicerequest-{hamstring.pk}"},
    ]
    assert {"text": "Patient's note: Felt looser"} in done["note"]

    partly = found[f"procedure-session-{mixed.pk}"]
    first, second = [parts(item) for item in partly["extension"]]
    assert all(item["url"] == EXTENSION_PERFORMED for item in partly["extension"])
    assert first == {
        "exercise": {"reference": f"ActivityDefinition/activitydefinition-{knee.exercise_id}"},
        "request": {"reference": f"ServiceRequest/servicerequest-{knee.pk}"},
        "status": "partial",
        "prescribed": knee.dose_text,
        "setsDone": 1,
        "repetitionsDone": 3,
        "holdSecondsDone": 30,
    }
    assert second["status"] == "skipped" and second["skipReason"] == "no_time"
    assert "setsDone" not in second
    notes = [note["text"] for note in partly["note"]]
    assert notes[0].startswith("Knee-to-chest stretch: partly done, Hold 30 seconds, 3 times")
    assert notes[1].startswith("Hamstring stretch: skipped (no time)")


def test_a_session_whose_every_exercise_was_skipped_is_not_done(patient, program):
    plan = program["plan"]
    session = log(
        patient,
        plan,
        hours_ago=2,
        entries=[entry_skipped(item, reason=SkipReason.PAIN) for item in plan.items.all()],
    )
    procedure = by_id(patient_bundle(patient=patient, base_url=BASE))[
        f"procedure-session-{session.pk}"
    ]
    assert procedure["status"] == "not-done"
    assert "Flagged for the therapist" in procedure["note"][-1]["text"]


def test_a_correction_to_a_session_is_exported_as_it_now_stands(patient, program):
    plan = program["plan"]
    session = log(patient, plan, hours_ago=1, pain_before=3, pain_after=3)
    entry = session.entries.order_by("position").first()
    session_log_correct(
        session=session,
        corrected_by=patient.user,
        entries=[
            EntryCorrection(
                entry_id=entry.pk,
                status=EntryStatus.SKIPPED,
                sets_done=0,
                repetitions_done=0,
                hold_seconds_done=0,
                skip_reason=SkipReason.TOO_HARD,
            )
        ],
    )
    procedure = by_id(patient_bundle(patient=patient, base_url=BASE))[
        f"procedure-session-{session.pk}"
    ]
    assert parts(procedure["extension"][0])["skipReason"] == "too_hard"


def test_outcome_scores_are_observations_and_superseded_ones_are_left_out(patient, program):
    bundle = patient_bundle(patient=patient, base_url=BASE)
    found = by_id(bundle)
    outcome_ids = {key for key in found if key.startswith("observation-outcome-")}
    assert outcome_ids == {
        f"observation-outcome-{program[name].pk}" for name in ("psfs", "odi", "ndi")
    }
    psfs = found[f"observation-outcome-{program['psfs'].pk}"]
    assert psfs["code"]["coding"][0] == {
        "system": OUTCOME_CODE_SYSTEM,
        "code": "psfs",
        "display": "Patient-Specific Functional Scale, mean of the activities' ratings",
    }
    assert psfs["valueQuantity"]["value"] == pytest.approx(4.33)
    assert [(c["code"]["text"], c["valueInteger"]) for c in psfs["component"]] == [
        ("Walking to work", 2),
        ("Putting on socks", 4),
        ("Sitting through a film", 7),
    ]
    assert psfs["effectiveDateTime"] == program["psfs"].assessed_on.isoformat()
    odi = found[f"observation-outcome-{program['odi'].pk}"]
    assert odi["code"]["coding"][0]["code"] == "97909-6"
    assert odi["valueQuantity"] == {
        "value": 40,
        "unit": "%",
        "system": "http://unitsofmeasure.org",
        "code": "%",
    }
    assert odi["note"] == [{"text": "Corrects an earlier score: Added up wrongly"}]
    assert odi["performer"] == [{"display": "Tess Owner"}]
    ndi = found[f"observation-outcome-{program['ndi'].pk}"]
    assert ndi["valueQuantity"]["value"] == 18
    assert ndi["code"]["coding"][0]["code"] == "ndi"


# The download


def test_staff_download_it_as_fhir_json_and_the_download_is_audited(
    client, patient, colleague, program
):
    client.force_login(colleague)
    response = client.get(download_url(patient))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    day = patient.clinic.today().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="rehabit-patient-{patient.pk}-fhir-{day}.json"'
    )
    assert "no-store" in response["Cache-Control"]
    bundle = json.loads(response.content)
    assert bundle["entry"][0]["fullUrl"] == (
        f"http://testserver/api/fhir/Patient/patient-{patient.pk}"
    )
    Bundle.model_validate(bundle)
    event = AuditEvent.objects.get(action=AuditAction.EXPORTED_FHIR)
    assert (event.patient, event.actor) == (patient, colleague)


def test_the_download_is_linked_beside_the_other_exports_on_the_patient_page(
    client, patient, therapist
):
    client.force_login(therapist)
    page = client.get(reverse("insights:patient-detail", args=[patient.pk]))
    assert f'href="{download_url(patient)}"' in page.text
    assert "for other health record systems (FHIR R4)" in page.text


def test_another_clinic_the_patient_and_a_stranger_to_the_site_cannot_download_it(
    client, patient, stranger, program
):
    client.force_login(stranger)
    assert client.get(download_url(patient)).status_code == 404
    assert client.get(reverse("insights:patient-fhir", args=[999999])).status_code == 404
    client.force_login(patient.user)
    assert client.get(download_url(patient)).status_code == 403
    client.logout()
    assert client.get(download_url(patient)).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED_FHIR).exists()


def test_the_download_runs_the_same_queries_for_a_short_program_or_a_long_one(
    client, patient, therapist, exercises, django_assert_max_num_queries
):
    plan = prescribe(patient, therapist, exercises[:1])
    log(patient, plan, hours_ago=1, pain_before=3, pain_after=2)
    outcomes_services.total_record(
        patient=patient, measure="odi", total=30, assessed_on=days_ago(patient, 5), by=therapist
    )
    client.force_login(therapist)
    # measured: 17; eleven of them the bundle (one per kind of row), one the audit row
    with django_assert_max_num_queries(17) as few:
        assert client.get(download_url(patient)).status_code == 200
    more = [ExerciseFactory(clinic=patient.clinic) for _ in range(4)]
    for index in range(3):
        other = prescribe(patient, therapist, exercises + more, title=f"Plan {index}")
        plan_status_change(plan=other, status=PlanStatus.PAUSED, changed_by=therapist)
    activities = outcomes_services.psfs_activities_add(
        patient=patient, names=["Walking", "Stairs", "Sitting"], by=patient.user
    )
    for hours in range(2, 30):
        log(patient, plan, hours_ago=hours, pain_before=3, pain_after=2)
        pain_report_record(patient=patient, score=2, recorded_by=patient.user)
    for days in range(1, 6):
        outcomes_services.psfs_record(
            patient=patient,
            ratings={activity.pk: days for activity in activities},
            assessed_on=days_ago(patient, days),
            by=patient.user,
        )
        outcomes_services.total_record(
            patient=patient,
            measure="ndi",
            total=days,
            assessed_on=days_ago(patient, days),
            by=therapist,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(download_url(patient))
    bundle = json.loads(response.content)
    assert len(resources(bundle, "CarePlan")) == 4
    assert len(resources(bundle, "ServiceRequest")) == 1 + 3 * 6
    assert len(resources(bundle, "Procedure")) == 29
    assert len(resources(bundle, "Observation")) == 2 * 29 + 28 + 1 + 10
