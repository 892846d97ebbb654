"""Setting up monitoring and logging time: the limits, corrections that never overwrite, and
the audit row of every write."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from clinics.models import AuditAction, AuditEvent
from messaging.services import message_send
from monitoring.models import Communication, Enrolment, TimeEntry
from monitoring.selectors import patient_monitoring
from monitoring.services import enrolment_save, time_entry_record
from tests.patients.factories import PatientFactory


def log(patient, therapist, **overrides):
    values = {
        "performed_on": patient.clinic.today(),
        "minutes": 12,
        "activity": "Reviewed the week's sessions.",
        "communication": Communication.NONE,
        "recorded_by": therapist,
    }
    return time_entry_record(patient=patient, **{**values, **overrides})


def test_setting_up_and_ending_monitoring_is_audited(patient, therapist):
    today = patient.clinic.today()
    enrolment_save(patient=patient, started_on=today, ended_on=None, saved_by=therapist)
    enrolment_save(
        patient=patient,
        started_on=today,
        ended_on=today + datetime.timedelta(days=5),
        saved_by=therapist,
    )
    assert Enrolment.objects.get(patient=patient).ended_on == today + datetime.timedelta(days=5)
    actions = list(
        AuditEvent.objects.filter(patient=patient)
        .order_by("id")
        .values_list("action", "summary", "actor")
    )
    assert actions == [
        (AuditAction.MONITORING_SET_UP, "Changed: started_on.", therapist.pk),
        (AuditAction.MONITORING_CHANGED, "Changed: ended_on.", therapist.pk),
    ]


def test_monitoring_cannot_start_in_the_future_or_end_before_it_starts(patient, therapist):
    today = patient.clinic.today()
    with pytest.raises(ValidationError) as future:
        enrolment_save(
            patient=patient,
            started_on=today + datetime.timedelta(days=1),
            ended_on=None,
            saved_by=therapist,
        )
    assert "cannot be in the future" in str(future.value.message_dict["started_on"])
    with pytest.raises(ValidationError) as backwards:
        enrolment_save(
            patient=patient,
            started_on=today,
            ended_on=today - datetime.timedelta(days=1),
            saved_by=therapist,
        )
    assert "cannot end before it was set up" in str(backwards.value.message_dict["ended_on"])
    assert not Enrolment.objects.exists()
    assert not AuditEvent.objects.filter(patient=patient).exists()


@pytest.mark.parametrize("minutes", [0, 121, -5])
def test_minutes_outside_1_to_120_are_refused_and_nothing_is_saved(enrolled, therapist, minutes):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        log(enrolled, therapist, minutes=minutes)
    assert refused.value.message_dict["minutes"] == [
        "Minutes must be a whole number from 1 to 120."
    ]
    assert not TimeEntry.objects.exists()
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("minutes", [1, 120])
def test_minutes_at_the_limits_are_kept(enrolled, therapist, minutes):
    assert log(enrolled, therapist, minutes=minutes).minutes == minutes


def test_dates_in_the_future_or_outside_monitoring_are_refused(enrolled, therapist):
    today = enrolled.clinic.today()
    with pytest.raises(ValidationError) as future:
        log(enrolled, therapist, performed_on=today + datetime.timedelta(days=1))
    assert "cannot be in the future" in future.value.message_dict["performed_on"][0]
    with pytest.raises(ValidationError) as early:
        log(enrolled, therapist, performed_on=today - datetime.timedelta(days=41))
    assert "Monitoring was set up on" in early.value.message_dict["performed_on"][0]
    assert log(enrolled, therapist, performed_on=today - datetime.timedelta(days=40))
    assert TimeEntry.objects.count() == 1


def test_time_needs_monitoring_set_up_first(patient, therapist):
    with pytest.raises(ValidationError, match="Set up remote monitoring"):
        log(patient, therapist)


def test_a_reply_in_the_messages_names_one_of_the_authors_own_messages(
    enrolled, therapist, colleague
):
    mine = message_send(
        patient=enrolled, author=therapist, body="Keep going.", base_url="http://t/"
    )
    theirs = message_send(patient=enrolled, author=colleague, body="Hello.", base_url="http://t/")
    with pytest.raises(ValidationError) as missing:
        log(enrolled, therapist, communication=Communication.MESSAGE)
    assert "message" in missing.value.message_dict
    with pytest.raises(ValidationError) as not_mine:
        log(enrolled, therapist, communication=Communication.MESSAGE, message=theirs)
    assert not_mine.value.message_dict["message"] == [
        "Choose one of your own messages to this patient."
    ]
    with pytest.raises(ValidationError) as other_day:
        log(
            enrolled,
            therapist,
            communication=Communication.MESSAGE,
            message=mine,
            performed_on=enrolled.clinic.today() - datetime.timedelta(days=1),
        )
    assert "That message was sent on" in other_day.value.message_dict["message"][0]
    entry = log(enrolled, therapist, communication=Communication.MESSAGE, message=mine)
    assert entry.message == mine
    # A phone call names no message, even if one was picked before switching.
    call = log(enrolled, therapist, communication=Communication.PHONE, message=mine)
    assert call.message is None


def test_a_correction_supersedes_the_entry_which_stays_out_of_the_totals(enrolled, therapist):
    first = log(enrolled, therapist, minutes=30)
    log(enrolled, therapist, minutes=5, communication=Communication.PHONE)
    fixed = log(enrolled, therapist, minutes=15, supersedes=first)
    first.refresh_from_db()
    assert first.minutes == 30 and first.corrected_by == fixed
    section = patient_monitoring(patient=enrolled)
    assert section.progress.total == 20
    assert len(section.entries) == 3
    with pytest.raises(ValidationError, match="corrected already"):
        log(enrolled, therapist, minutes=16, supersedes=first)
    assert list(
        AuditEvent.objects.filter(patient=enrolled)
        .exclude(action=AuditAction.MONITORING_SET_UP)
        .order_by("id")
        .values_list("action", "summary")
    ) == [
        (AuditAction.MONITORING_TIME_LOGGED, f"Time entry #{first.pk}."),
        (AuditAction.MONITORING_TIME_LOGGED, f"Time entry #{first.pk + 1}."),
        (
            AuditAction.MONITORING_TIME_CORRECTED,
            f"Time entry #{fixed.pk}, correcting entry #{first.pk}.",
        ),
    ]


def test_another_patients_entry_cannot_be_corrected(enrolled, therapist):
    other = PatientFactory(primary_therapist=therapist)
    enrolment_save(
        patient=other, started_on=other.clinic.today(), ended_on=None, saved_by=therapist
    )
    theirs = log(other, therapist)
    with pytest.raises(ValidationError, match="this patient's own entries"):
        log(enrolled, therapist, supersedes=theirs)


def test_entries_are_counted_per_calendar_month_with_their_communication_days(enrolled, therapist):
    today = enrolled.clinic.today()
    first_of_month = today.replace(day=1)
    log(enrolled, therapist, minutes=7, performed_on=first_of_month)
    log(
        enrolled,
        therapist,
        minutes=40,
        performed_on=first_of_month,
        communication=Communication.PHONE,
    )
    previous = first_of_month - datetime.timedelta(days=1)
    log(enrolled, therapist, minutes=100, performed_on=previous)
    section = patient_monitoring(patient=enrolled)
    assert section.progress.total == 47
    assert section.communication_days == [first_of_month]
    assert patient_monitoring(patient=enrolled, month=f"{previous:%Y-%m}").progress.total == 100
