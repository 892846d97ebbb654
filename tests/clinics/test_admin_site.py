"""The technical admin site: site superusers only, an audit row for each look at a clinic's
records, and a patient's records read-only."""

import contextlib

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.exceptions import FieldError
from django.test import Client
from django.urls import NoReverseMatch, reverse

from clinics.admin_site import ReadOnlyAdmin
from clinics.models import AccessPurpose, AuditAction, AuditEvent, User
from clinics.services import access_link_issue
from devdata.demo import DEMO_PASSWORD
from patients.models import Patient, SessionLog
from patients.services import session_log_correct
from prescriptions.models import Plan
from tests.clinics.factories import two_factor_turn_on
from tests.test_isolation_walk import demo  # noqa: F401  (the demo clinic with one of each)

# The project's own apps; the others registered (auth groups, sign-in throttling, two-step devices,
# task queues) hold no clinic's records.
OWN_APPS = {"clinics", "exercises", "prescriptions", "patients", "messaging"}
PATIENT_DATA = {
    "patients.patient",
    "patients.sessionlog",
    "patients.sessionlogrevision",
    "patients.painreport",
    "prescriptions.plan",
    "prescriptions.planrevision",
    "messaging.message",
    "messaging.conversationread",
}


def registered(own_only=True):
    return [
        (f"{model._meta.app_label}.{model._meta.model_name}", model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in OWN_APPS or not own_only
    ]


def admin_urls(model, obj):
    base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    urls = [reverse(f"{base}_changelist"), reverse(f"{base}_add")]
    if obj is not None:
        for view in ("change", "history", "delete"):
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse(f"{base}_{view}", args=[obj.pk]))
    return urls


def one_of(model, clinic):
    """A record of the model belonging to the demo clinic, where the model has one."""
    if model._meta.app_label not in OWN_APPS:
        return None
    rows = model._default_manager.all()
    for lookup in ("clinic", "patient__clinic", "session__clinic", "plan__clinic", "user__clinic"):
        try:
            found = rows.filter(**{lookup: clinic}).first()
        except FieldError:  # not a path this model has
            continue
        if found is not None:
            return found
    return clinic if model._meta.label_lower == "clinics.clinic" else rows.first()


def add_a_correction(seeded):
    patient = seeded["patient"]
    session = SessionLog.objects.filter(patient=patient).latest("performed_at")
    session_log_correct(session=session, corrected_by=patient.user, pain_after=1)


def patient_of(obj) -> Patient:
    if isinstance(obj, Patient):
        return obj
    for path in ("patient", "session", "plan"):
        if hasattr(obj, path):
            found = getattr(obj, path)
            return found if path == "patient" else found.patient
    raise AssertionError(f"{obj!r} names no patient")


@pytest.fixture
def site_admin(db):
    root = User.objects.create_superuser("root@example.com", DEMO_PASSWORD, full_name="Site Admin")
    two_factor_turn_on(root)
    return root


def test_a_staff_flagged_account_with_view_permissions_is_refused_everywhere(demo):  # noqa: F811
    therapist = demo["therapist"]
    therapist.is_staff = True
    therapist.save()
    therapist.user_permissions.set(Permission.objects.filter(codename__startswith="view_"))
    client = Client()
    client.force_login(therapist)
    every_model = registered(own_only=False)
    urls = [reverse("admin:index")] + [
        url
        for _label, model, _admin in every_model
        for url in admin_urls(model, one_of(model, demo["clinic"]))
    ]
    urls += sorted(
        {reverse("admin:app_list", args=[model._meta.app_label]) for _l, model, _a in every_model}
    )
    assert len(urls) > 60
    for url in urls:
        response = client.get(url, follow=True)
        assert response.status_code == 403, url
        assert "Pat Patient" not in response.text, url
    assert not AuditEvent.objects.filter(action=AuditAction.ADMIN_VIEWED).exists()


def test_the_site_superuser_reads_every_page(demo, site_admin):  # noqa: F811
    client = Client()
    client.force_login(site_admin)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:patients_patient_changelist")).status_code == 200


def test_every_look_at_a_clinic_record_in_the_admin_leaves_an_audit_row(demo, site_admin):  # noqa: F811
    access_link_issue(user=demo["patient"].user, purpose=AccessPurpose.SIGN_IN)
    add_a_correction(demo)
    client = Client()
    client.force_login(site_admin)
    clinic = demo["clinic"]
    for label, model, _admin in registered():
        obj = one_of(model, clinic)
        assert obj is not None, label
        base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for url in (reverse(f"{base}_change", args=[obj.pk]), reverse(f"{base}_changelist")):
            before = AuditEvent.objects.filter(action=AuditAction.ADMIN_VIEWED).count()
            response = client.get(url)
            assert response.status_code == 200, url
            new = AuditEvent.objects.filter(action=AuditAction.ADMIN_VIEWED).order_by("id")[before:]
            assert new, f"{url} ({label}) wrote no audit row"
            assert all(row.actor == site_admin for row in new)
            if label == "exercises.exercise" and obj.clinic_id is None:
                continue
            assert clinic.pk in {row.clinic_id for row in new}, url
            if label in PATIENT_DATA and url.endswith("/change/"):
                assert [row.patient_id for row in new] == [patient_of(obj).pk], url


def test_the_patient_names_a_change_page_shows_are_in_its_row(demo, site_admin):  # noqa: F811
    client = Client()
    client.force_login(site_admin)
    pat = demo["patient"]
    client.get(reverse("admin:patients_patient_change", args=[pat.pk]))
    row = AuditEvent.objects.filter(action=AuditAction.ADMIN_VIEWED).latest("id")
    assert (row.patient_id, row.clinic_id, row.actor_email) == (
        pat.pk,
        pat.clinic_id,
        "root@example.com",
    )
    client.get(reverse("admin:patients_painreport_changelist"))
    listed = AuditEvent.objects.filter(
        action=AuditAction.ADMIN_VIEWED, summary__startswith="A list"
    )
    assert pat.pk in set(listed.values_list("patient_id", flat=True))


@pytest.mark.parametrize("label", sorted(PATIENT_DATA))
def test_a_patients_records_are_read_only_in_the_admin(demo, site_admin, label):  # noqa: F811
    add_a_correction(demo)
    model = next(model for name, model, _a in registered() if name == label)
    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, ReadOnlyAdmin)
    obj = one_of(model, demo["clinic"])
    base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    client = Client()
    client.force_login(site_admin)
    change = client.get(reverse(f"{base}_change", args=[obj.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.text
    assert client.get(reverse(f"{base}_add")).status_code == 403
    assert client.post(reverse(f"{base}_change", args=[obj.pk]), {}).status_code == 403
    assert client.post(reverse(f"{base}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert model._default_manager.filter(pk=obj.pk).exists()
    listing = client.get(reverse(f"{base}_changelist"))
    assert "delete_selected" not in listing.text


def test_every_model_of_a_patients_record_is_read_only(db):
    """A model added to the admin tomorrow that points at a patient, a session or a plan is
    read-only, or this fails. The audit trail names patients too, and is read-only on its own."""
    record_models = (Patient, SessionLog, Plan)
    for label, model, model_admin in registered():
        if label == "clinics.auditevent":
            continue
        points_at_a_record = model in record_models or any(
            getattr(field, "related_model", None) in record_models
            for field in model._meta.get_fields()
            if field.concrete and (field.many_to_one or field.one_to_one)
        )
        if points_at_a_record:
            assert label in PATIENT_DATA, f"{label} holds a patient's records: make it read-only"
            assert isinstance(model_admin, ReadOnlyAdmin), label
