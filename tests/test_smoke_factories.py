from tests.patients.factories import SessionLogEntryFactory


def test_factories_keep_related_rows_in_one_clinic(db):
    entry = SessionLogEntryFactory()
    session = entry.session
    assert session.patient.clinic == session.plan.clinic == session.clinic
    assert entry.exercise.clinic == session.clinic
    assert session.plan.prescribed_by.clinic == session.clinic
    assert session.patient.primary_therapist == session.plan.prescribed_by
