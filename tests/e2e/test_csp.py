"""The Content-Security-Policy is sent and enforced, and the browser tests would notice a breach."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from .conftest import watch_csp_violations


def test_pages_are_served_with_a_strict_policy(page: Page, live_server, transactional_db):
    response = page.goto(live_server.url + reverse("clinics:login"))
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.csp_violation
def test_an_inline_script_is_refused_and_reported(page: Page, live_server, transactional_db):
    violations = watch_csp_violations(page)
    page.goto(live_server.url + reverse("clinics:login"))
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "document.title = 'injected'";
            document.head.appendChild(script);
        }"""
    )
    expect(page).not_to_have_title("injected")
    page.wait_for_timeout(200)
    assert any("inline script" in text and "script-src" in text for text in violations), violations
