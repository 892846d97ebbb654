"""The data migration that hashes recovery codes stored before they were kept hashed."""

import importlib

from django.apps import apps
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from clinics.services import recovery_code_hash, two_factor_verify
from tests.clinics.factories import two_factor_turn_on

migration = importlib.import_module("clinics.migrations.0010_hash_recovery_codes")


def test_plain_codes_are_hashed_and_still_work_once(therapist):
    two_factor_turn_on(therapist)
    device = StaticDevice.objects.get(user=therapist)
    device.token_set.all().delete()
    StaticToken.objects.create(device=device, token="abcdefghjk")
    StaticToken.objects.create(device=device, token="rehabdemo0")

    migration.hash_plain_codes(apps, None)
    migration.hash_plain_codes(apps, None)  # a hash is left alone

    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert stored == {recovery_code_hash("abcdefghjk"), recovery_code_hash("rehab-demo0")}
    assert two_factor_verify(user=therapist, code="abcde-fghjk").device is not None
    assert two_factor_verify(user=therapist, code="abcde-fghjk").device is None
