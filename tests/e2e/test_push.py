"""The "notifications on this device" part of the patient's and the staff's account pages, in a
real browser: the script finds out what the browser allows and offers the button; the choice of
channel is a plain form. (No push service is reachable from here, so nothing is subscribed.)"""

import re

from django.urls import reverse
from playwright.sync_api import expect

from clinics.models import User
from push.models import Channel
from tests.push.conftest import vapid  # noqa: F401

from .axe import assert_accessible


def test_a_patient_sees_notifications_on_this_phone_and_chooses_email_only(
    page,
    live_server,
    demo_data,
    sign_in,
    vapid,  # noqa: F811
):
    sign_in(page, "patient@example.com")
    page.goto(live_server.url + reverse("patients:account"))
    section = page.get_by_role("region", name="Notifications on this phone")
    expect(section).to_be_visible()
    expect(section.get_by_role("status")).to_have_text("Notifications are off for this device.")
    expect(section.get_by_role("button", name="Turn on notifications")).to_be_visible()
    expect(section.get_by_role("button", name="Turn off")).to_be_hidden()
    assert_accessible(page, context="patient account with notifications")

    section.get_by_role("radio", name="Email only").check()
    section.get_by_role("button", name="Save this choice").click()
    expect(page.get_by_text("Saved how we tell you that something is waiting.")).to_be_visible()
    assert re.search(r"#notifications$", page.url)
    user = User.objects.get(email="patient@example.com")
    assert user.notification_channel == Channel.EMAIL


def test_staff_see_emails_and_notifications(
    page,
    live_server,
    demo_data,
    sign_in,
    vapid,  # noqa: F811
):
    sign_in(page, "admin@example.com")
    page.goto(live_server.url + reverse("clinics:email-settings"))
    expect(page.get_by_role("heading", name="Emails and notifications", level=1)).to_be_visible()
    section = page.get_by_role("region", name="Notifications on this device")
    expect(section.get_by_role("button", name="Turn on notifications")).to_be_visible()
    assert_accessible(page, context="staff emails and notifications")


def test_without_keys_the_page_says_push_is_not_set_up(page, live_server, demo_data, sign_in):
    sign_in(page, "patient@example.com")
    page.goto(live_server.url + reverse("patients:account"))
    section = page.get_by_role("region", name="Notifications on this phone")
    expect(section.get_by_text("Notifications are not set up on this server")).to_be_visible()
    expect(section.get_by_role("button", name="Turn on notifications")).to_have_count(0)
