import datetime

import pytest
from django.utils import timezone

from outcomes import services
from patients.models import Patient

ACTIVITY_NAMES = ["Carrying the shopping", "Climbing stairs", "Sitting through a film"]


def days_ago(patient, days: int) -> datetime.date:
    return patient.clinic.today() - datetime.timedelta(days=days)


@pytest.fixture
def patient(patient):
    """The owner's patient, added 60 days ago so scores can be dated in the past."""
    Patient.objects.filter(pk=patient.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=60)
    )
    patient.refresh_from_db()
    return patient


@pytest.fixture
def activities(patient):
    return services.psfs_activities_add(patient=patient, names=ACTIVITY_NAMES, by=patient.user)


def rate(patient, activities, values, *, days: int = 0, by=None):
    return services.psfs_record(
        patient=patient,
        ratings={activity.pk: value for activity, value in zip(activities, values, strict=True)},
        assessed_on=days_ago(patient, days),
        by=by or patient.user,
    )


def odi(patient, total, *, days: int = 0, by):
    return services.total_record(
        patient=patient, measure="odi", total=total, assessed_on=days_ago(patient, days), by=by
    )
