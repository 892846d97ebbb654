"""The scheduler's refresh of every clinic's triage rows, each as of the clinic's own day."""

import datetime

import time_machine
from django.utils import timezone

from insights.models import CaseloadTriage
from insights.selectors.triage import NO_ALERT
from insights.tasks import refresh_triage
from tests.clinics.factories import ClinicFactory, TherapistFactory
from tests.insights.test_alerts import log_session, prescribe
from tests.patients.factories import PatientWithAccountFactory


def test_the_scheduler_keeps_every_clinics_rows_current_for_its_own_day(therapist, clinic):
    far_away = ClinicFactory(time_zone="Pacific/Auckland")
    colleague = TherapistFactory(clinic=far_away)
    here = PatientWithAccountFactory(primary_therapist=therapist)
    there = PatientWithAccountFactory(primary_therapist=colleague)
    for patient, staff in ((here, therapist), (there, colleague)):
        log_session(patient, prescribe(patient, staff, start_days_ago=3), days_ago=1)

    assert refresh_triage.call() == 2
    rows = {row.patient_id: row for row in CaseloadTriage.objects.all()}
    assert rows[here.pk].day == clinic.today()
    assert rows[there.pk].day == far_away.today()
    # Every row is current: the next run writes nothing.
    assert refresh_triage.call() == 0

    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        assert refresh_triage.call() == 2
        assert CaseloadTriage.objects.get(patient=there).day == far_away.today()


def test_a_patient_without_plans_or_logs_has_a_row_with_nothing_open(therapist, clinic):
    patient = PatientWithAccountFactory(primary_therapist=therapist)
    refresh_triage.call()
    row = CaseloadTriage.objects.get(patient=patient)
    assert (row.rank, row.open_alerts, row.emergency) == (NO_ALERT, 0, False)
    assert (row.week_prescribed, row.adherence_week, row.pain_latest, row.plan_title) == (
        0,
        None,
        None,
        "",
    )
