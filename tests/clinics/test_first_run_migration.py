"""Clinics whose settings page was saved before the first-run checklist existed start with its
alert-thresholds step done; the others, and every other step, are worked out or still to do."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("clinics", "0010_hash_recovery_codes")]
AFTER = [("clinics", "0011_first_run_checklist")]


@pytest.mark.django_db(transaction=True)
def test_a_clinic_that_saved_its_settings_has_its_thresholds_saved():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Clinic = apps.get_model("clinics", "Clinic")
    AuditEvent = apps.get_model("clinics", "AuditEvent")
    saved = Clinic.objects.create(name="Riverside", slug="riverside")
    never = Clinic.objects.create(name="Hillside", slug="hillside")
    AuditEvent.objects.create(clinic=saved, action="clinic_settings_updated")
    AuditEvent.objects.create(clinic=never, action="signed_in")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())

    from clinics.models import Clinic as Current

    rows = {clinic.slug: clinic for clinic in Current.objects.all()}
    assert rows["riverside"].alert_thresholds_saved_at is not None
    assert rows["hillside"].alert_thresholds_saved_at is None
    assert rows["riverside"].library_reviewed_at is None
