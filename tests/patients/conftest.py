import datetime

import pytest
from django.utils import timezone

from tests.prescriptions.factories import PlanFactory, PlanItemFactory


@pytest.fixture
def plan(patient, therapist):
    """A running plan of two exercises for the owner's patient, begun ten days ago."""
    plan = PlanFactory(
        patient=patient,
        prescribed_by=therapist,
        start_date=timezone.localdate() - datetime.timedelta(days=10),
    )
    PlanItemFactory(plan=plan, exercise__name="Knee-to-chest stretch", position=1)
    PlanItemFactory(plan=plan, exercise__name="Prone press-up", position=2)
    return plan
