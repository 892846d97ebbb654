import pytest
from django.test import TestCase
from rest_framework.test import APIClient

from clinics.models import ApiScope
from clinics.services import api_key_create
from tests.clinics.factories import ClinicAdminFactory


class KeyClient(APIClient):
    """A client of the API holding one key; each request's on-commit work runs as it ends."""

    def request(self, **request):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**request)


def key_client(*, clinic, admin, scope=ApiScope.READ_WRITE, acts_as=None, name="EHR sync"):
    key, raw = api_key_create(
        clinic=clinic, name=name, scope=scope, acts_as=acts_as or admin, created_by=admin
    )
    client = KeyClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.key = key
    client.raw = raw
    return client


@pytest.fixture
def api(clinic, clinic_admin, therapist):
    """A read-and-write key of the first clinic, acting as its therapist."""
    return key_client(clinic=clinic, admin=clinic_admin, acts_as=therapist)


@pytest.fixture
def read_only_api(clinic, clinic_admin):
    return key_client(clinic=clinic, admin=clinic_admin, scope=ApiScope.READ, name="Reports")


@pytest.fixture
def stranger_api(other_clinic):
    admin = ClinicAdminFactory(clinic=other_clinic)
    return key_client(clinic=other_clinic, admin=admin, name="Other clinic")


@pytest.fixture
def admin_api(clinic, clinic_admin):
    """A read-and-write key of the first clinic, acting as its admin."""
    return key_client(clinic=clinic, admin=clinic_admin, name="Practice management")
