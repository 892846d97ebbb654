"""An emergency red flag reaches the therapist away from the app: the demo patient reports it on
a phone, the database queue's worker sends the therapist's email, the therapist follows its
link, sees the banner and acknowledges, and nothing is passed on to the clinic's admins."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from notifications.services import escalations_send
from outbox.models import OutboxMessage
from patients.models import AlertAcknowledgement, AlertKind, PainReport, Patient
from patients.red_flags import Severity

from .axe import assert_accessible

PHONE = {"width": 375, "height": 812}
DESK = {"width": 1366, "height": 900}


@pytest.fixture
def database_queue(settings, demo_data):
    """Work for later goes to the database queue, as with `make run`, once the demo is in."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def open_menu_link(page: Page, name: str) -> None:
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name).click()


def test_an_emergency_red_flag_reaches_the_therapist_who_acknowledges_it_before_escalation(
    new_context, live_server, database_queue, sign_in
):
    phone = new_context(viewport=PHONE, is_mobile=True).new_page()
    sign_in(phone, "patient@example.com")
    open_menu_link(phone, "Report pain")
    phone.get_by_role("group", name=re.compile("How much does it hurt right now")).get_by_label(
        "6", exact=True
    ).check()
    phone.get_by_label(re.compile("Numbness or tingling around the genitals")).check()
    phone.get_by_role("button", name="Send my pain report").click()
    expect(
        phone.get_by_role("heading", name="Go to the emergency department now", level=1)
    ).to_be_visible()
    report = PainReport.objects.get(red_flag_severity=Severity.EMERGENCY)

    # Nothing is sent in the patient's request: the worker sends it.
    assert mail.outbox == []
    call_command("db_worker", batch=True, verbosity=0)
    [email] = mail.outbox
    assert email.to == ["therapist@example.com"]
    assert email.subject == "A patient of yours reported a warning sign"
    patient = Patient.objects.get(user__email="patient@example.com")
    for private in (patient.first_name, patient.last_name, patient.condition, "Numbness", "6/10"):
        assert private not in email.body
    link = re.search(r"https?://\S+", email.body).group(0)
    assert urlsplit(link).path == reverse("insights:patient-detail", args=[patient.pk])

    # Within the clinic's time nothing is passed on yet (the demo's older flagged sessions
    # may be).
    escalation = f"escalation:{AlertKind.RED_FLAG}:report:{report.pk}:"
    escalations_send(now=timezone.now() + datetime.timedelta(hours=1))
    assert not OutboxMessage.objects.filter(key__startswith=escalation).exists()

    desk = new_context(viewport=DESK).new_page()
    sign_in(desk, "therapist@example.com")
    desk.goto(live_server.url + urlsplit(link).path)
    banner = desk.locator("section.emergency-banner")
    expect(banner.get_by_role("heading", name=re.compile("Emergency red flag"))).to_be_visible()
    expect(
        banner.get_by_text(re.compile("Numbness or tingling around the genitals"))
    ).to_be_visible()
    assert_accessible(desk, context="patient page with an emergency red flag")

    desk.goto(live_server.url + reverse("insights:caseload"))
    banner = desk.locator("section.emergency-banner")
    expect(banner.get_by_role("link", name=patient.full_name)).to_be_visible()
    assert_accessible(desk, context="caseload with the emergency banner")
    # One tap: the note is there to fill, the button beside it.
    banner.get_by_label("Note (optional)").fill("Called; on the way to the emergency department.")
    banner.get_by_role("button", name="Acknowledge this emergency").click()

    expect(desk.get_by_text(f"Alert acknowledged for {patient.full_name}")).to_be_visible()
    expect(desk.locator("section.emergency-banner")).to_have_count(0)
    acknowledgement = AlertAcknowledgement.objects.get(kind=AlertKind.RED_FLAG)
    assert acknowledgement.event_key == f"report:{report.pk}"

    # Past the clinic's two hours, an acknowledged alert goes to nobody.
    mail.outbox.clear()
    escalations_send(now=timezone.now() + datetime.timedelta(hours=3))
    assert not OutboxMessage.objects.filter(key__startswith=escalation).exists()
    call_command("db_worker", batch=True, verbosity=0)
    assert not [sent for sent in mail.outbox if "emergency" in sent.subject.lower()]
