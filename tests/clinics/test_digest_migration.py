"""Therapists already at work when the daily digest arrived get it at 07:30, like new ones."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("clinics", "0006_audit_messages")]
AFTER = [("clinics", "0007_digest_for_existing_therapists")]


@pytest.mark.django_db(transaction=True)
def test_existing_active_therapists_get_the_digest_at_half_past_seven():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Clinic = apps.get_model("clinics", "Clinic")
    User = apps.get_model("clinics", "User")
    clinic = Clinic.objects.create(name="Riverside", slug="riverside")
    for email, role, active in [
        ("t@example.com", "therapist", True),
        ("gone@example.com", "therapist", False),
        ("admin@example.com", "clinic_admin", True),
    ]:
        User.objects.create(
            email=email, full_name=email, role=role, is_active=active, clinic=clinic
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    executor.loader.build_graph()
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())

    from clinics.models import User as Current

    digest = dict(Current.objects.values_list("email", "digest_at"))
    assert digest == {
        "t@example.com": datetime.time(7, 30),
        "gone@example.com": None,
        "admin@example.com": None,
    }
