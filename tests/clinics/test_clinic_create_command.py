"""`manage.py clinic_create`: a new installation's first clinic and its first admin."""

import io
import re
from urllib.parse import urlparse

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import CommandError, call_command
from django.urls import reverse

from clinics.models import AccessLink, Clinic, Role, User

GOOD_PASSWORD = "a quiet walk along the river"


def clinic_create(**options) -> str:
    arguments = {
        "name": "Harbour Physio",
        "admin_email": "Ada@Harbour.example",
        "admin_name": "Ada Harbour",
        "time_zone": "Europe/London",
        "base_url": "https://rehab.harbour.example/",
        **options,
    }
    out = io.StringIO()
    call_command(
        "clinic_create", *[f"--{k.replace('_', '-')}={v}" for k, v in arguments.items()], stdout=out
    )
    return out.getvalue()


@pytest.mark.django_db
def test_creates_the_clinic_and_an_admin_who_signs_in_through_the_printed_link(client):
    output = clinic_create()
    clinic = Clinic.objects.get(name="Harbour Physio")
    admin = User.objects.get(email="ada@harbour.example")
    assert clinic.time_zone == "Europe/London"
    assert (admin.clinic, admin.role, admin.full_name) == (clinic, Role.CLINIC_ADMIN, "Ada Harbour")
    assert not admin.has_usable_password()
    (link,) = re.findall(r"https://rehab\.harbour\.example/welcome/\S+/", output)
    assert "7 days" in output

    path = urlparse(link).path
    response = client.post(path, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("clinics:home")
    assert client.session[SESSION_KEY] == str(admin.pk)
    admin.refresh_from_db()
    assert admin.check_password(GOOD_PASSWORD)


@pytest.mark.django_db
def test_an_address_already_in_use_creates_nothing():
    clinic_create()
    with pytest.raises(CommandError, match="already exists"):
        clinic_create(name="Second Clinic", admin_email="ada@harbour.example")
    assert not Clinic.objects.filter(name="Second Clinic").exists()
    assert AccessLink.objects.count() == 1


@pytest.mark.django_db
def test_an_unknown_time_zone_creates_nothing():
    with pytest.raises(CommandError, match="not a known time zone"):
        clinic_create(time_zone="Mars/Olympus")
    assert not Clinic.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_the_base_url_must_be_a_web_address():
    with pytest.raises(CommandError, match="--base-url"):
        clinic_create(base_url="rehab.harbour.example")
    assert not Clinic.objects.exists()
