"""Recording, validating and correcting scores; the PSFS schedule and its reminder; the audit
rows every write leaves."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import TestCase

from clinics.models import AuditAction, AuditEvent
from outbox.models import OutboxMessage
from outcomes import services
from outcomes.models import OutcomeEntry, PatientOutcomes, PsfsActivity, PsfsRating
from outcomes.scores import Measure
from outcomes.selectors import measure_points

from .conftest import ACTIVITY_NAMES, days_ago, odi, rate

pytestmark = pytest.mark.django_db


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


# Activities


@pytest.mark.parametrize("count", [2, 6])
def test_psfs_takes_3_to_5_activities(patient, count):
    with pytest.raises(ValidationError) as refused:
        services.psfs_activities_add(
            patient=patient, names=[f"Activity {n}" for n in range(count)], by=patient.user
        )
    assert "3 to 5" in messages_of(refused.value) or "at most 5" in messages_of(refused.value)
    assert not PsfsActivity.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.OUTCOME_SETUP_CHANGED).exists()


@pytest.mark.parametrize("count", [3, 5])
def test_3_or_5_activities_are_taken(patient, count):
    added = services.psfs_activities_add(
        patient=patient, names=[f"Activity {n}" for n in range(count)], by=patient.user
    )
    assert len(added) == count


def test_activities_can_be_added_later_up_to_5(patient, therapist, activities):
    services.psfs_activities_add(patient=patient, names=["Gardening", "Driving"], by=therapist)
    with pytest.raises(ValidationError) as refused:
        services.psfs_activities_add(patient=patient, names=["Cycling"], by=therapist)
    assert "at most 5" in messages_of(refused.value)
    assert PsfsActivity.objects.filter(patient=patient).count() == 5


def test_a_retired_activity_keeps_its_ratings_and_frees_a_place(patient, therapist, activities):
    rate(patient, activities, [3, 4, 5], days=14)
    services.psfs_activity_retire(patient=patient, activity=activities[0], by=therapist)
    services.psfs_activities_add(patient=patient, names=["Walking the dog"], by=therapist)
    assert PsfsRating.objects.filter(activity=activities[0]).count() == 1
    names = list(
        PsfsActivity.objects.filter(retired_at__isnull=True).values_list("name", flat=True)
    )
    assert names == [*ACTIVITY_NAMES[1:], "Walking the dog"]


def test_another_clinic_cannot_set_up_activities(patient, stranger):
    with pytest.raises(ValidationError):
        services.psfs_activities_add(patient=patient, names=ACTIVITY_NAMES, by=stranger)


# Ratings


@pytest.mark.parametrize("value", [11, -1, 4.5, "7", True])
def test_a_rating_must_be_a_whole_number_from_0_to_10(patient, activities, value):
    with pytest.raises(ValidationError) as refused:
        rate(patient, activities, [5, 5, value])
    assert "whole number from 0 to 10" in messages_of(refused.value)
    assert not OutcomeEntry.objects.exists()
    assert not PsfsRating.objects.exists()


@pytest.mark.parametrize("value", [0, 10])
def test_ratings_at_the_limits_are_taken(patient, activities, value):
    entry = rate(patient, activities, [value, value, value])
    assert entry.ratings.count() == 3


def test_every_current_activity_must_be_rated(patient, activities):
    with pytest.raises(ValidationError) as refused:
        services.psfs_record(
            patient=patient,
            ratings={activities[0].pk: 3, activities[1].pk: 3},
            assessed_on=days_ago(patient, 0),
            by=patient.user,
        )
    assert "Rate every activity" in messages_of(refused.value)


def test_psfs_cannot_be_rated_with_fewer_than_3_activities(patient, therapist, activities):
    services.psfs_activity_retire(patient=patient, activity=activities[0], by=therapist)
    with pytest.raises(ValidationError) as refused:
        rate(patient, activities[1:], [3, 3])
    assert "3 to 5 activities" in messages_of(refused.value)


# Totals


@pytest.mark.parametrize(
    ("measure", "total", "allowed"),
    [
        ("odi", 101, "0 to 100"),
        ("odi", -1, "0 to 100"),
        ("ndi", 51, "0 to 50"),
        ("odi", 20.5, "0 to 100"),
    ],
)
def test_a_total_outside_its_scale_is_refused(patient, therapist, measure, total, allowed):
    with pytest.raises(ValidationError) as refused:
        services.total_record(
            patient=patient,
            measure=measure,
            total=total,
            assessed_on=days_ago(patient, 0),
            by=therapist,
        )
    assert allowed in messages_of(refused.value)
    assert not OutcomeEntry.objects.exists()


@pytest.mark.parametrize(("measure", "total"), [("odi", 0), ("odi", 100), ("ndi", 0), ("ndi", 50)])
def test_totals_at_the_limits_are_taken(patient, therapist, measure, total):
    entry = services.total_record(
        patient=patient,
        measure=measure,
        total=total,
        assessed_on=days_ago(patient, 0),
        by=therapist,
    )
    assert entry.total == total


def test_a_patient_does_not_record_odi(patient):
    with pytest.raises(ValidationError):
        odi(patient, 30, by=patient.user)


def test_a_date_in_the_future_is_refused(patient, therapist):
    with pytest.raises(ValidationError) as refused:
        odi(patient, 30, days=-1, by=therapist)
    assert "cannot be in the future" in messages_of(refused.value)
    assert not OutcomeEntry.objects.exists()


def test_a_date_before_the_patient_was_added_is_refused(patient, therapist):
    with pytest.raises(ValidationError) as refused:
        odi(patient, 30, days=61, by=therapist)
    assert "before the patient was added" in messages_of(refused.value)
    odi(patient, 30, days=60, by=therapist)


# Corrections


def test_a_correction_keeps_the_old_entry_and_replaces_it_in_the_scores(patient, therapist):
    first = odi(patient, 50, days=20, by=therapist)
    corrected = services.entry_correct(
        entry=first,
        by=therapist,
        assessed_on=first.assessed_on,
        total=40,
        note="Added up wrongly",
    )
    first.refresh_from_db()
    assert first.total == 50  # never changed
    assert corrected.supersedes == first
    points = measure_points(patient_ids=[patient.pk])[patient.pk][Measure.ODI]
    assert [point.value for point in points] == [40]
    with pytest.raises(ValidationError) as refused:
        services.entry_correct(
            entry=first, by=therapist, assessed_on=first.assessed_on, total=45, note="Again"
        )
    assert "corrected already" in messages_of(refused.value)
    assert AuditEvent.objects.filter(action=AuditAction.OUTCOME_CORRECTED).count() == 1


def test_a_psfs_correction_keeps_the_ratings_of_the_day(patient, therapist, activities):
    first = rate(patient, activities, [2, 3, 4], days=10)
    corrected = services.entry_correct(
        entry=first,
        by=therapist,
        assessed_on=first.assessed_on,
        ratings={activities[0].pk: 2, activities[1].pk: 3, activities[2].pk: 7},
        note="Patient tapped the wrong number",
    )
    assert sorted(first.ratings.values_list("rating", flat=True)) == [2, 3, 4]
    assert sorted(corrected.ratings.values_list("rating", flat=True)) == [2, 3, 7]


def test_a_correction_needs_a_reason_and_valid_total(patient, therapist):
    first = odi(patient, 50, days=20, by=therapist)
    for note, total, message in (("", 40, "Say why"), ("Typo", 101, "0 to 100")):
        with pytest.raises(ValidationError) as refused:
            services.entry_correct(
                entry=first, by=therapist, assessed_on=first.assessed_on, total=total, note=note
            )
        assert message in messages_of(refused.value)
    assert OutcomeEntry.objects.count() == 1


# Worsening, kept for the caseload


def test_function_worsening_follows_the_latest_score(patient, therapist, activities):
    odi(patient, 30, days=30, by=therapist)
    odi(patient, 39, days=10, by=therapist)
    assert not PatientOutcomes.objects.get(patient=patient).function_worsening
    odi(patient, 40, days=5, by=therapist)
    assert PatientOutcomes.objects.get(patient=patient).function_worsening
    odi(patient, 25, days=1, by=therapist)
    assert not PatientOutcomes.objects.get(patient=patient).function_worsening
    rate(patient, activities, [6, 6, 6], days=20)
    rate(patient, activities, [4, 4, 4], days=0)  # mean down by 2: worse
    assert PatientOutcomes.objects.get(patient=patient).function_worsening


# Schedule and reminder


def due_on(patient) -> datetime.date | None:
    return PatientOutcomes.objects.get(patient=patient).psfs_due_on


def test_psfs_is_due_at_once_then_every_14_days_by_default(patient, therapist, activities):
    assert due_on(patient) == patient.clinic.today()
    rate(patient, activities, [3, 3, 3], days=3)
    assert due_on(patient) == days_ago(patient, 3) + datetime.timedelta(days=14)


def test_the_therapist_changes_the_interval(patient, therapist, activities):
    rate(patient, activities, [3, 3, 3], days=3)
    services.psfs_interval_set(patient=patient, days=28, by=therapist)
    assert due_on(patient) == days_ago(patient, 3) + datetime.timedelta(days=28)
    for days in (6, 91, 7.5):
        with pytest.raises(ValidationError) as refused:
            services.psfs_interval_set(patient=patient, days=days, by=therapist)
        assert "from 7 to 90" in messages_of(refused.value)
    with pytest.raises(ValidationError):
        services.psfs_interval_set(patient=patient, days=7, by=patient.user)


def test_no_activities_no_psfs_due(patient, therapist):
    services.psfs_interval_set(patient=patient, days=21, by=therapist)
    assert due_on(patient) is None
    assert services.psfs_reminders_send() == 0


def test_the_reminder_goes_once_per_due_date_and_says_nothing_of_health(
    patient, therapist, activities, mailoutbox
):
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.psfs_reminders_send()
        services.psfs_reminders_send()
    messages = OutboxMessage.objects.filter(kind="outcome_due")
    assert messages.count() == 1
    assert messages.get().key == f"outcome-due:{patient.pk}:{patient.clinic.today().isoformat()}"
    with TestCase.captureOnCommitCallbacks(execute=True):
        rate(patient, activities, [3, 3, 3])
        services.psfs_reminders_send()  # not due again for 14 days
    assert messages.count() == 1


def test_the_reminder_text_carries_no_health_information(patient, activities):
    from outcomes.notices import outcome_due_email, outcome_due_push

    services.psfs_reminders_send()
    message = OutboxMessage.objects.get(kind="outcome_due")
    email = outcome_due_email(message)
    push = outcome_due_push(message)
    texts = [email.subject, email.text, str(push.title), str(push.body)]
    assert "A short question from your clinic is waiting" in email.subject
    for text in texts:
        for word in ("PSFS", "pain", "back", "Carrying", patient.first_name, patient.last_name):
            assert not re.search(rf"\b{word}\b", str(text), re.IGNORECASE), (word, text)


def test_no_reminder_for_a_discharged_patient(patient, activities):
    type(patient).objects.filter(pk=patient.pk).update(status="discharged")
    assert services.psfs_reminders_send() == 0


# Audit


def test_every_write_leaves_an_audit_row_without_the_score(patient, therapist, activities):
    entry = rate(patient, activities, [3, 3, 3], days=5)
    total = odi(patient, 44, by=therapist)
    services.psfs_interval_set(patient=patient, days=21, by=therapist)
    correction = services.entry_correct(
        entry=entry,
        by=therapist,
        assessed_on=entry.assessed_on,
        ratings={activity.pk: 4 for activity in activities},
        note="Typo",
    )
    rows = AuditEvent.objects.filter(patient_id=patient.pk).order_by("id")
    assert [row.action for row in rows] == [
        AuditAction.OUTCOME_SETUP_CHANGED,
        AuditAction.OUTCOME_RECORDED,
        AuditAction.OUTCOME_RECORDED,
        AuditAction.OUTCOME_SETUP_CHANGED,
        AuditAction.OUTCOME_CORRECTED,
    ]
    assert rows[0].actor == patient.user
    assert rows[2].actor == therapist
    # Each summary names the entries by id and never the values scored.
    assert [row.summary for row in rows] == [
        "PSFS activities added: 3.",
        f"PSFS score {entry.pk} recorded.",
        f"ODI score {total.pk} recorded.",
        "PSFS interval set to 21 days.",
        f"Score {entry.pk} corrected by score {correction.pk}.",
    ]
