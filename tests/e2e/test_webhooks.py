"""A clinic admin connects the clinic's practice management system: adds a webhook from the
settings, sees the signing secret, and sends a test event that the receiver takes."""

import re

import pytest
from playwright.sync_api import expect

from tests.webhooks.conftest import Receiver, signature_valid
from webhooks.models import WebhookEndpoint

from .axe import assert_accessible


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.stop()


def label(text: str) -> re.Pattern:
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def test_admin_adds_a_webhook_and_sends_a_test_event(page, demo_data, sign_in, receiver):
    sign_in(page, "admin@example.com")
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
    assert_accessible(page, context="webhooks, none yet")

    page.get_by_role("link", name="Add a webhook").click()
    page.get_by_label(label("Address")).fill(receiver.url)
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_text("Choose at least one event")).to_be_visible()
    expect(page.get_by_label(label("Address"))).to_have_value(receiver.url)
    assert_accessible(page, context="webhook form with errors")

    page.get_by_label(label("Description")).fill("Practice management")
    page.get_by_label("A patient logged a home session").check()
    page.get_by_label("A plan was created, revised, paused, resumed or ended").check()
    page.get_by_role("button", name="Add webhook").click()
    expect(page.get_by_role("heading", name="Practice management", level=1)).to_be_visible()
    page.get_by_text("Show the signing secret").click()
    endpoint = WebhookEndpoint.objects.get()
    expect(page.get_by_text(endpoint.secret)).to_be_visible()
    assert_accessible(page, context="webhook page")

    page.get_by_role("button", name="Send a test event").click()
    expect(page.get_by_text("A test event (ping) is on its way.")).to_be_visible()
    page.reload()
    expect(page.get_by_text("Delivered")).to_be_visible()
    assert_accessible(page, context="webhook page with a delivery")
    (request,) = receiver.requests
    assert request["headers"]["Rehabit-Event"] == "ping"
    assert signature_valid(endpoint.secret, request)

    page.get_by_role("link", name="Webhooks").first.click()
    expect(page.get_by_role("link", name="Practice management")).to_be_visible()
    assert_accessible(page, context="webhook list")
