"""What reaches people when they are not looking at the app: a safety alert at once, passed
on to the admins when nobody acknowledges it in time; session reminders at the patient's times
across the clock changes; the staff's daily digest; and the one-click way to stop them."""

import datetime
import uuid
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clinics.models import Clinic
from clinics.services import user_language_set
from insights.services import alert_acknowledge
from notifications import services
from notifications.unsubscribe import DIGEST, REMINDERS, unsubscribe_token
from outbox.models import OutboxMessage
from patients.models import AlertKind, ReminderSettings
from patients.services import (
    EntryInput,
    pain_report_record,
    patient_discharge,
    session_log_record,
)
from prescriptions.models import PlanStatus
from prescriptions.services import plan_status_change
from tests.clinics.factories import ClinicAdminFactory, ClinicFactory, TherapistFactory
from tests.patients.factories import PatientWithAccountFactory, SessionLogFactory
from tests.prescriptions.factories import PlanFactory, PlanItemFactory

# Words that must never reach an email: the patient's name, condition, pain and notes.
SECRETS = ["Zelda", "Quigleyworth", "Marker condition", "marker note", "9/10"]


@pytest.fixture
def world(db):
    clinic = ClinicFactory(name="Riverside Physio", time_zone="Europe/London")
    therapist = TherapistFactory(clinic=clinic, full_name="Tess Owner")
    admin = ClinicAdminFactory(clinic=clinic, full_name="Ada Admin")
    patient = PatientWithAccountFactory(
        primary_therapist=therapist,
        first_name="Zelda",
        last_name="Quigleyworth",
        condition="Marker condition",
    )
    plan = PlanFactory(patient=patient, prescribed_by=therapist, times_per_day=2)
    item = PlanItemFactory(plan=plan)
    return type("World", (), locals())()


@pytest.fixture(autouse=True)
def commits(django_capture_on_commit_callbacks, monkeypatch):
    """Each call of the scheduler's work ends as its own transaction would: what it handed on
    to be sent when it commits goes out as the call returns."""
    for name in ("escalations_send", "reminders_send", "digests_send"):
        work = getattr(services, name)

        def committed(*args, _work=work, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return _work(*args, **kwargs)

        monkeypatch.setattr(services, name, committed)


def emails(mailoutbox, to):
    return [message for message in mailoutbox if message.to == [to]]


def assert_no_secrets(message):
    text = message.subject + message.body + "".join(str(part) for part, _ in message.alternatives)
    for secret in SECRETS:
        assert secret not in text, secret


def report_emergency(world, at=None):
    return pain_report_record(
        patient=world.patient,
        score=9,
        recorded_by=world.patient.user,
        recorded_at=at,
        note="marker note",
        red_flag_codes=["bladder_bowel"],
        client_token=uuid.uuid4(),
    )


def test_an_emergency_red_flag_reaches_the_therapist_at_once_without_health_details(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report_emergency(world)
    (message,) = emails(mailoutbox, world.therapist.email)
    assert "warning sign" in message.subject
    assert "Riverside Physio" in message.body
    assert f"/patients/{world.patient.pk}/" in message.body
    assert_no_secrets(message)


def test_a_session_stopped_for_pain_reaches_the_therapist(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    item = world.plan.items.get()
    with django_capture_on_commit_callbacks(execute=True):
        session_log_record(
            patient=world.patient,
            plan=world.plan,
            performed_at=timezone.now(),
            entries=[EntryInput.as_prescribed(item)],
            client_token=uuid.uuid4(),
            recorded_by=world.patient.user,
            pain_before=3,
            pain_after=8,
        )
    (message,) = emails(mailoutbox, world.therapist.email)
    assert "stopped a session because it hurt" in message.subject
    assert_no_secrets(message)


def test_nothing_is_sent_when_the_write_rolls_back(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        report_emergency(world)
        raise RuntimeError("the request failed after the report")
    assert mailoutbox == [] and not OutboxMessage.objects.exists()


def test_an_unacknowledged_emergency_is_passed_on_after_the_clinics_time_once(world, mailoutbox):
    reported = timezone.now() - datetime.timedelta(hours=1)
    report_emergency(world, at=reported)
    mailoutbox.clear()
    services.escalations_send(now=reported + datetime.timedelta(hours=1, minutes=59))
    assert emails(mailoutbox, world.admin.email) == []
    services.escalations_send(now=reported + datetime.timedelta(hours=2, minutes=1))
    services.escalations_send(now=reported + datetime.timedelta(hours=2, minutes=6))
    (message,) = emails(mailoutbox, world.admin.email)
    assert "emergency" in message.subject and "more than 2 hours ago" in message.body
    assert_no_secrets(message)


def test_an_acknowledged_alert_is_not_passed_on(world, mailoutbox):
    reported = timezone.now() - datetime.timedelta(hours=3)
    report = report_emergency(world, at=reported)
    alert_acknowledge(
        clinic=world.clinic,
        patient=world.patient,
        kind=AlertKind.RED_FLAG,
        event_key=f"report:{report.pk}",
        acknowledged_by=world.therapist,
    )
    mailoutbox.clear()
    services.escalations_send()
    assert mailoutbox == []


def test_a_flagged_session_waits_the_longer_time(world, mailoutbox):
    performed = timezone.now() - datetime.timedelta(hours=25)
    SessionLogFactory(
        plan=world.plan, performed_at=performed, is_flagged=True, flag_reason="pain reached 8/10"
    )
    services.escalations_send(now=performed + datetime.timedelta(hours=23))
    assert emails(mailoutbox, world.admin.email) == []
    services.escalations_send(now=performed + datetime.timedelta(hours=24, minutes=1))
    (message,) = emails(mailoutbox, world.admin.email)
    assert "more than 24 hours ago" in message.body


# Reminders


def local(zone, *parts):
    return datetime.datetime(*parts, tzinfo=zoneinfo.ZoneInfo(zone))


def remind(world, at_local):
    with time_machine.travel(at_local, tick=False):
        return services.reminders_send()


@pytest.mark.parametrize(
    ("zone", "day", "note"),
    [
        ("America/New_York", datetime.date(2026, 3, 8), "spring forward"),
        ("America/New_York", datetime.date(2026, 11, 1), "fall back"),
        ("Europe/London", datetime.date(2026, 3, 29), "spring forward"),
        ("Europe/London", datetime.date(2026, 10, 25), "fall back"),
    ],
)
def test_reminders_follow_the_clinics_clock_across_the_changes(world, mailoutbox, zone, day, note):
    Clinic.objects.filter(pk=world.clinic.pk).update(time_zone=zone)
    world.plan.start_date = day - datetime.timedelta(days=3)
    world.plan.save()
    ReminderSettings.objects.create(patient=world.patient, times=["09:00", "18:00"])
    assert remind(world, local(zone, day.year, day.month, day.day, 8, 59)) == 0
    assert remind(world, local(zone, day.year, day.month, day.day, 9, 0)) == 1
    remind(world, local(zone, day.year, day.month, day.day, 9, 1))  # asked again: sent once
    assert remind(world, local(zone, day.year, day.month, day.day, 17, 59)) == 0
    remind(world, local(zone, day.year, day.month, day.day, 18, 0))
    sent = emails(mailoutbox, world.patient.user.email)
    assert ["session 1 of 2" in m.body for m in sent] == [True, False], note
    assert "session 2 of 2" in sent[1].body
    assert sent[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert_no_secrets(sent[0])


def test_a_reminder_in_the_hour_the_clocks_skip_comes_when_the_clock_jumps(world, mailoutbox):
    zone = "America/New_York"
    Clinic.objects.filter(pk=world.clinic.pk).update(time_zone=zone)
    ReminderSettings.objects.create(patient=world.patient, times=["02:30", "18:00"])
    world.plan.start_date = datetime.date(2026, 3, 1)
    world.plan.save()
    # 02:30 does not exist on 8 March 2026; the clock goes from 01:59 to 03:00.
    assert remind(world, local(zone, 2026, 3, 8, 1, 59)) == 0
    assert remind(world, local(zone, 2026, 3, 8, 3, 30)) == 1


def test_no_reminder_when_the_session_is_done_or_the_plan_paused_or_the_patient_discharged(
    world, mailoutbox
):
    zone = world.clinic.time_zone
    now = timezone.now()
    today = timezone.localtime(now, world.clinic.zone)
    ReminderSettings.objects.create(patient=world.patient, times=[f"{today:%H}:00"])
    SessionLogFactory(plan=world.plan, performed_at=now - datetime.timedelta(minutes=1))
    assert services.reminders_send(now=now) == 0  # the session of that reminder is done
    OutboxMessage.objects.all().delete()
    plan_status_change(plan=world.plan, status=PlanStatus.PAUSED, changed_by=world.therapist)
    assert services.reminders_send(now=now) == 0
    plan_status_change(plan=world.plan, status=PlanStatus.ACTIVE, changed_by=world.therapist)
    patient_discharge(patient=world.patient, discharged_by=world.therapist)
    assert services.reminders_send(now=now) == 0
    assert zone


def test_reminders_off_means_none(world, mailoutbox):
    now = timezone.now()
    hour = timezone.localtime(now, world.clinic.zone).strftime("%H")
    ReminderSettings.objects.create(patient=world.patient, times=[f"{hour}:00"], is_on=False)
    assert services.reminders_send(now=now) == 0


# The digest


def test_the_digest_comes_once_at_the_chosen_time_with_counts_only(world, mailoutbox):
    world.therapist.digest_at = datetime.time(7, 30)
    world.therapist.save()
    report_emergency(world, at=timezone.now() - datetime.timedelta(hours=1))
    mailoutbox.clear()
    morning = local("Europe/London", 2026, 12, 7, 7, 29)
    with time_machine.travel(morning, tick=False):
        assert services.digests_send() == 0
    with time_machine.travel(morning + datetime.timedelta(minutes=1), tick=False):
        services.digests_send()
        services.digests_send()
    (message,) = emails(mailoutbox, world.therapist.email)
    assert "alerts are open" in message.body or "alert is open" in message.body
    assert "/unsubscribe/" in message.body
    assert_no_secrets(message)


def test_the_digest_counts_messages_the_therapist_has_not_read(world, mailoutbox):
    from messaging.services import conversation_mark_read, message_send

    first = message_send(
        patient=world.patient, author=world.patient.user, body="marker note", base_url=""
    )
    message_send(patient=world.patient, author=world.patient.user, body="again", base_url="")
    assert services.digest_counts(user=world.therapist)["unread"] == 2
    conversation_mark_read(patient=world.patient, reader=world.therapist, up_to=first)
    assert services.digest_counts(user=world.therapist)["unread"] == 1

    world.therapist.digest_at = datetime.time(7, 30)
    world.therapist.save()
    mailoutbox.clear()
    with time_machine.travel(local("Europe/London", 2026, 12, 7, 7, 31), tick=False):
        services.digests_send()
    (message,) = emails(mailoutbox, world.therapist.email)
    assert "1 message is unread." in message.body
    assert_no_secrets(message)


def test_new_therapists_get_the_digest_and_admins_do_not(world):
    from clinics.services import user_create

    new = user_create(
        clinic=world.clinic,
        email="new@example.com",
        full_name="New",
        role="therapist",
        password=None,
    )
    admin = user_create(
        clinic=world.clinic,
        email="boss@example.com",
        full_name="Boss",
        role="clinic_admin",
        password=None,
    )
    assert new.digest_at == datetime.time(7, 30) and admin.digest_at is None


def test_staff_choose_their_digest_time_or_turn_it_off(client, world):
    client.force_login(world.therapist)
    url = reverse("clinics:email-settings")
    assert client.post(url, {"wanted": "on", "at": "06:45"}).status_code == 302
    world.therapist.refresh_from_db()
    assert world.therapist.digest_at == datetime.time(6, 45)
    page = client.post(url, {"wanted": "on", "at": "26:00"}).text
    assert "Enter a time of day from 00:00 to 23:59" in page
    client.post(url, {"at": "06:45"})
    world.therapist.refresh_from_db()
    assert world.therapist.digest_at is None


# Unsubscribing


def test_the_link_in_a_reminder_turns_reminders_off_with_one_click(client, world):
    url = reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(what=REMINDERS, pk=world.patient.pk)]
    )
    page = client.get(url)
    assert page.status_code == 200 and "Stop session reminders?" in page.text
    assert not ReminderSettings.objects.filter(patient=world.patient, is_on=False).exists()
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert "Reminders are off" in response.text
    assert ReminderSettings.objects.get(patient=world.patient).is_on is False


def test_the_link_in_a_digest_turns_the_digest_off(client, world):
    world.therapist.digest_at = datetime.time(7, 30)
    world.therapist.save()
    url = reverse(
        "notifications:unsubscribe", args=[unsubscribe_token(what=DIGEST, pk=world.therapist.pk)]
    )
    client.post(url)
    world.therapist.refresh_from_db()
    assert world.therapist.digest_at is None


def test_a_made_up_link_turns_nothing_off(client, world):
    response = client.post(reverse("notifications:unsubscribe", args=["made-up"]))
    assert response.status_code == 404 and "This link does not work" in response.text


# Every kind of email


def test_no_email_of_any_kind_carries_health_details(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    """Each kind the outbox knows is written here through the flow that sends it, for a
    patient whose name, condition, pain and notes are markers; none may reach any email. A
    kind added later without a case here fails the coverage check at the end."""
    from clinics.models import AccessPurpose
    from clinics.services import sign_in_link_request, user_invite
    from messaging.services import message_send
    from outbox.kinds import KINDS
    from outcomes.services import psfs_activities_add, psfs_reminders_send

    base_url = "http://testserver"
    world.therapist.digest_at = datetime.time(7, 30)
    world.therapist.save()
    reported = timezone.now() - datetime.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        user_invite(user=world.patient.user, invited_by=world.therapist, base_url=base_url)
        sign_in_link_request(
            email=world.patient.user.email, base_url=base_url, client_address="192.0.2.1"
        )
        sign_in_link_request(
            email=world.therapist.email,
            base_url=base_url,
            client_address="192.0.2.2",
            purpose=AccessPurpose.UNLOCK,
        )
        report_emergency(world, at=reported)
        message_send(
            patient=world.patient, author=world.patient.user, body="marker note", base_url=""
        )
        message_send(patient=world.patient, author=world.therapist, body="marker note", base_url="")
    services.escalations_send()
    ReminderSettings.objects.create(patient=world.patient, times=["09:00"])
    world.plan.start_date = datetime.date(2026, 12, 1)
    world.plan.save()
    remind(world, local("Europe/London", 2026, 12, 7, 9, 1))
    with time_machine.travel(local("Europe/London", 2026, 12, 7, 7, 31), tick=False):
        services.digests_send()
    # The PSFS's "a question is waiting", for activities whose names are markers too.
    with django_capture_on_commit_callbacks(execute=True):
        psfs_activities_add(
            patient=world.patient,
            names=["marker note walking", "Stairs", "Sitting"],
            by=world.therapist,
        )
        assert psfs_reminders_send() == 1

    sent = OutboxMessage.objects.order_by("pk")
    assert {message.kind for message in sent} == set(KINDS)
    assert len(mailoutbox) == sent.count()
    for message in mailoutbox:
        assert_no_secrets(message)


def test_a_reminder_to_a_spanish_speaking_patient_is_in_spanish_and_keeps_her_health_private(
    world, mailoutbox
):
    user_language_set(user=world.patient.user, language="es")
    day = datetime.date(2026, 3, 10)
    world.plan.start_date = day - datetime.timedelta(days=3)
    world.plan.save()
    ReminderSettings.objects.create(patient=world.patient, times=["09:00", "18:00"])
    remind(world, local("Europe/London", 2026, 3, 10, 9, 0))
    (sent,) = emails(mailoutbox, world.patient.user.email)
    assert "Es hora de la sesión 1 de 2 de sus ejercicios de hoy." in sent.body
    assert "It is time" not in sent.body
    assert_no_secrets(sent)
