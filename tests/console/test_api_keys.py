"""The admin's page of API keys: made once and shown once, revoked for good, the clinic's own."""

import pytest
from django.urls import reverse

from clinics.models import ApiKey, ApiScope, AuditAction, AuditEvent
from clinics.services import api_key_create
from tests.clinics.factories import ClinicAdminFactory, TherapistFactory

pytestmark = pytest.mark.django_db

URL = reverse("console:api-keys")


def test_an_admin_makes_a_key_and_sees_it_once(client, clinic_admin, therapist):
    client.force_login(clinic_admin)
    response = client.post(
        URL, {"name": "EHR sync", "scope": ApiScope.READ_WRITE, "acts_as": therapist.pk}
    )
    key = ApiKey.objects.get()
    raw = response.context["new_key"]
    assert raw.startswith(f"rhk_{key.prefix}_")
    assert raw in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert key.acts_as == therapist and key.can_write
    assert AuditEvent.objects.filter(action=AuditAction.API_KEY_CREATED).count() == 1
    again = client.get(URL).content.decode()
    assert raw not in again
    assert f"rhk_{key.prefix}_…" in again


def test_a_refused_key_keeps_what_was_typed(client, clinic_admin):
    client.force_login(clinic_admin)
    response = client.post(URL, {"name": "Billing export", "scope": ApiScope.READ})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose the staff member the key acts as." in body
    assert 'value="Billing export"' in body
    assert not ApiKey.objects.exists()


def test_two_keys_in_use_cannot_share_a_name(client, clinic, clinic_admin):
    api_key_create(
        clinic=clinic,
        name="EHR sync",
        scope=ApiScope.READ,
        acts_as=clinic_admin,
        created_by=clinic_admin,
    )
    client.force_login(clinic_admin)
    response = client.post(
        URL, {"name": "ehr  sync", "scope": ApiScope.READ, "acts_as": clinic_admin.pk}
    )
    assert "is in use already" in response.content.decode()
    assert ApiKey.objects.count() == 1


def test_a_revoked_key_stays_listed_and_its_name_is_free_again(client, clinic, clinic_admin):
    key, _raw = api_key_create(
        clinic=clinic,
        name="EHR sync",
        scope=ApiScope.READ,
        acts_as=clinic_admin,
        created_by=clinic_admin,
    )
    client.force_login(clinic_admin)
    client.post(reverse("console:api-key-revoke", args=[key.pk]))
    key.refresh_from_db()
    assert key.is_revoked and key.revoked_by == clinic_admin
    assert "Revoked" in client.get(URL).content.decode()
    client.post(URL, {"name": "EHR sync", "scope": ApiScope.READ, "acts_as": clinic_admin.pk})
    assert ApiKey.objects.count() == 2


def test_only_the_clinics_admins(client, clinic, clinic_admin, therapist, other_clinic):
    key, _raw = api_key_create(
        clinic=clinic,
        name="EHR sync",
        scope=ApiScope.READ,
        acts_as=clinic_admin,
        created_by=clinic_admin,
    )
    client.force_login(therapist)
    assert client.get(URL).status_code == 403
    client.force_login(ClinicAdminFactory(clinic=other_clinic))
    assert client.post(reverse("console:api-key-revoke", args=[key.pk])).status_code == 404
    assert f"rhk_{key.prefix}" not in client.get(URL).content.decode()
    key.refresh_from_db()
    assert not key.is_revoked


def test_another_clinics_staff_member_cannot_be_chosen(client, clinic_admin, other_clinic):
    client.force_login(clinic_admin)
    foreign = TherapistFactory(clinic=other_clinic)
    response = client.post(URL, {"name": "X", "scope": ApiScope.READ, "acts_as": foreign.pk})
    assert "Choose an active therapist or admin of this clinic." in response.content.decode()
    assert not ApiKey.objects.exists()


def test_the_page_reads_a_fixed_number_of_queries(
    client, clinic, clinic_admin, django_assert_max_num_queries
):
    def make(count, start):
        for number in range(start, start + count):
            api_key_create(
                clinic=clinic,
                name=f"Key {number}",
                scope=ApiScope.READ,
                acts_as=TherapistFactory(clinic=clinic),
                created_by=clinic_admin,
            )

    client.force_login(clinic_admin)
    make(2, 0)
    with django_assert_max_num_queries(12) as small:
        client.get(URL)
    make(10, 2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(URL)
