import datetime

import pytest

from monitoring.services import enrolment_save


@pytest.fixture
def enrolled(patient, therapist):
    """The owner's patient, in remote monitoring since 40 days ago: period 2 is under way."""
    enrolment_save(
        patient=patient,
        started_on=patient.clinic.today() - datetime.timedelta(days=40),
        ended_on=None,
        saved_by=therapist,
    )
    return patient
