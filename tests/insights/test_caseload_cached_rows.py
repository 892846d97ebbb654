"""The caseload keeps each row's markup under a key naming everything the row shows: after any
change to what a row shows, the next caseload shows it, cached or not."""

import datetime

import time_machine
from django.core.cache import cache

from insights.services import alert_acknowledge
from messaging.services import message_send
from patients.models import AlertKind
from patients.services import patient_update
from prescriptions.services import ItemInput, plan_revise
from tests.insights.test_alerts import log_session, prescribe, report_pain
from tests.insights.test_dashboard import CASELOAD, row_of
from tests.patients.factories import PatientWithAccountFactory


def test_a_cached_row_shows_every_change_at_once(client, therapist, clinic):
    # A Tuesday morning at the clinic, so that three hours later is the same day.
    morning = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=clinic.zone)
    with time_machine.travel(morning, tick=False) as traveller:
        patient = PatientWithAccountFactory(
            primary_therapist=therapist, first_name="Ann", last_name="Archer"
        )
        plan = prescribe(patient, therapist, start_days_ago=14, end_date=None)
        log_session(patient, plan, days_ago=1, pain_before=3, pain_after=3)
        client.force_login(therapist)

        def row(name="Ann Archer"):
            shown = row_of(client.get(CASELOAD), name)
            cache.clear()
            # The same as worked out afresh, with nothing cached.
            assert row_of(client.get(CASELOAD), name) == shown
            return row_of(client.get(CASELOAD), name)

        assert "High pain" not in row()

        report_pain(patient, 9)  # at or over the clinic's threshold of 7
        high = row()
        assert "High pain" in high and "9/10" in high

        alert_acknowledge(
            clinic=clinic,
            patient=patient,
            kind=AlertKind.PAIN_HIGH,
            event_key=f"report:{patient.pain_reports.latest('pk').pk}",
            acknowledged_by=therapist,
            note="Called her",
        )
        seen = row()
        assert "1 acknowledged" in seen and "Called her" in seen

        message_send(patient=patient, author=patient.user, body="A question", base_url="http://x")
        assert "1 unread message" in row()

        patient_update(patient=patient, updated_by=therapist, condition="Sciatica")
        assert "Sciatica" in row()

        patient_update(patient=patient, updated_by=therapist, first_name="Anne")
        assert "Anne Archer" in row("Anne Archer")

        plan.refresh_from_db()
        plan_revise(
            plan=plan,
            changed_by=therapist,
            expected_version=plan.version,
            title="Lower back, week 3",
            start_date=plan.start_date,
            items=[
                ItemInput(**{**ItemInput.copy_of(item).__dict__, "item_id": item.pk})
                for item in plan.items.all()
            ],
            times_per_day=plan.times_per_day,
            weekdays=plan.weekdays,
        )
        assert "Lower back, week 3" in row("Anne Archer")

        clinic.alert_pain_at_or_above = 10
        clinic.save(update_fields=["alert_pain_at_or_above"])
        assert "1 acknowledged" not in row("Anne Archer")

        before = row("Anne Archer")
        assert "21\xa0hours ago" in before
        traveller.shift(datetime.timedelta(hours=3))
        client.force_login(therapist)  # the session may have timed out meanwhile
        assert "1\xa0day ago" in row("Anne Archer")
