"""The patient's pages as an app on their phone: installable, working with the network off, and
sending what was done offline exactly once when it comes back.

Installability is read from Chromium itself (the DevTools protocol), which answers only for a
profile kept on disk, as a person's browser is: these tests run in a persistent context of their
own. The network is cut with Playwright's offline switch, which holds for the service worker's
own requests too, so a page that shows offline came from the phone.
"""

import json
import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from clinics.models import User
from patients.models import PainReport, Patient, SessionLog
from prescriptions.models import Plan, PlanStatus
from prescriptions.services import plan_status_change

from .axe import assert_accessible
from .conftest import watch_csp_violations
from .test_patient_session import PHONE, choose_pain, run_all_exercises
from .test_player import prescribe_for_pat

PATIENT = "patient@example.com"
START = re.compile("Start today's session|Log an extra session")

KEPT = """async () => {
  const kept = {};
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    kept[name] = (await cache.keys()).map((request) => new URL(request.url).pathname);
  }
  return kept;
}"""

QUEUE = """() => new Promise((resolve) => {
  const opening = indexedDB.open("rehabit");
  opening.onupgradeneeded = () => { opening.transaction.abort(); resolve(null); };
  opening.onerror = () => resolve(null);
  opening.onsuccess = () => {
    const db = opening.result;
    if (!db.objectStoreNames.contains("queue")) { db.close(); resolve(null); return; }
    const all = db.transaction("queue").objectStore("queue").getAll();
    all.onsuccess = () => { db.close(); resolve(all.result); };
  };
})"""


@pytest.fixture
def phone_app(browser_type, browser_type_launch_args, tmp_path, transactional_db, live_server):
    """A phone's browser with a profile of its own on disk, as a patient's is. It closes before
    the server and the database go (its worker may still be fetching)."""
    context = browser_type.launch_persistent_context(
        tmp_path / "profile",
        **browser_type_launch_args,
        viewport=PHONE,
        reduced_motion="reduce",
    )
    page = context.pages[0] if context.pages else context.new_page()
    violations = watch_csp_violations(page)
    yield context, page
    context.close()
    assert violations == [], violations


@pytest.fixture
def pat_on_phone(phone_app, live_server, demo_data, sign_in, settings):
    """Pat, the demo patient, signed in on their phone, with Today opened online once."""
    settings.GUIDED_TIMER_SECOND_MS = 15
    context, page = phone_app
    sign_in(page, PATIENT)
    open_today_online(page, live_server)
    return context, page


def open_today_online(page: Page, live_server) -> None:
    """Today opened online once: the worker takes over and keeps Today, its plans' session
    pages, the pain report and the list of what waits to be sent."""
    page.goto(live_server.url + reverse("patients:today"))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    wanted = {reverse(f"patients:{name}") for name in ("today", "pain-report", "offline")}
    deadline = time.monotonic() + 15
    while True:
        pages = set(page.evaluate(KEPT).get("rehabit-pages", []))
        if wanted <= pages and any(path.endswith("/session/") for path in pages):
            return
        assert time.monotonic() < deadline, f"the pages were not kept: {pages}"
        page.wait_for_timeout(200)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def session_offline(page: Page) -> str:
    """From Today, with the network off: a whole session in the player, saved. Returns the
    token of this start, made on the phone."""
    page.get_by_role("link", name=START).first.click()
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    token = page.url.split("?token=")[1]
    expect(page.locator("[name=client_token]")).to_have_value(token)
    choose_pain(page, "How much does it hurt now, before you start?", 3)
    run_all_exercises(page)
    choose_pain(page, "How much does it hurt now, after the session?", 2)
    page.get_by_role("button", name="Save my session").click()
    return token


def demo_plan() -> Plan:
    return Plan.objects.get(
        patient__user__email=PATIENT, title="Back spasm relief", status=PlanStatus.ACTIVE
    )


def test_the_patient_pages_install_as_an_app_that_keeps_nothing_of_staff_pages(
    phone_app, live_server, demo_data, sign_in
):
    context, page = phone_app
    sign_in(page, PATIENT)
    open_today_online(page, live_server)

    devtools = context.new_cdp_session(page)
    assert devtools.send("Page.getInstallabilityErrors") == {"installabilityErrors": []}
    manifest = page.evaluate(
        "fetch(document.querySelector('link[rel=manifest]').href).then((r) => r.json())"
    )
    assert manifest["start_url"] == reverse("patients:today")
    assert manifest["scope"] == "/patients/me/"
    assert manifest["display"] == "standalone"
    assert {"maskable"} <= {icon.get("purpose") for icon in manifest["icons"]}
    # Chromium offers to install: the page says what it means for the patient.
    hint = page.get_by_role("region", name="Put Rehabit on your home screen")
    expect(hint).to_be_visible()
    expect(hint.get_by_role("button", name="Install Rehabit")).to_be_visible()
    assert_accessible(page, context="Today with the install hint")
    hint.get_by_role("button", name="Not now").click()
    expect(hint).to_be_hidden()
    page.reload()
    page.wait_for_timeout(500)
    expect(hint).to_be_hidden()

    # Staff pages are outside the worker's scope: a therapist in the same browser is never
    # served by it and nothing of theirs is kept.
    sign_out(page)
    sign_in(page, "therapist@example.com")
    page.goto(live_server.url + reverse("insights:caseload"))
    assert page.evaluate("navigator.serviceWorker.controller") is None
    patient = Patient.objects.get(user__email=PATIENT)
    page.goto(live_server.url + reverse("insights:patient-detail", args=[patient.pk]))
    assert page.evaluate("navigator.serviceWorker.controller") is None
    kept = page.evaluate(KEPT)
    for paths in kept.values():
        assert all(
            path.startswith("/patients/me/") or path.startswith("/static/") for path in paths
        ), paths


def test_a_session_done_offline_is_saved_on_the_phone_and_arrives_once(pat_on_phone):
    context, page = pat_on_phone
    plan = demo_plan()
    before = SessionLog.objects.filter(plan=plan).count()

    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name=re.compile("^Hello, "))).to_be_visible()
    token = session_offline(page)
    expect(page.get_by_role("heading", name="Saved on this phone")).to_be_visible()
    item = page.locator(".queue-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Saved on this phone — will be sent")
    assert SessionLog.objects.filter(plan=plan).count() == before
    assert_accessible(page, context="saved on the phone, offline")
    queued = page.evaluate(QUEUE)
    assert [entry["token"] for entry in queued] == [token]

    context.set_offline(False)
    expect(item).to_contain_text("Sent", timeout=15_000)
    expect(item.get_by_role("link", name="See it")).to_be_visible()
    sessions = SessionLog.objects.filter(plan=plan)
    assert sessions.count() == before + 1
    session = sessions.get(client_token=token)
    assert (session.pain_before, session.pain_after) == (3, 2)
    items = {entry.plan_item_id: entry for entry in session.entries.all()}
    for plan_item in plan.items.all():
        entry = items[plan_item.pk]
        assert entry.status == "completed"
        assert (entry.sets_done, entry.repetitions_done, entry.hold_seconds_done) == (
            plan_item.sets,
            plan_item.repetitions,
            plan_item.hold_seconds,
        )

    # Sent again, as a phone whose answer was lost would: still one session.
    page.evaluate(
        """async () => {
          const store = await import("/static/js/store.js");
          for (const item of await store.queueAll()) {
            await store.queuePut({ ...item, state: "waiting" });
          }
        }"""
    )
    page.get_by_role("button", name="Send now").click()
    expect(item).to_contain_text("Sent")
    deadline = time.monotonic() + 15
    while not all(entry["tries"] == 2 for entry in page.evaluate(QUEUE)):
        assert time.monotonic() < deadline, page.evaluate(QUEUE)
        page.wait_for_timeout(200)
    assert SessionLog.objects.filter(plan=plan).count() == before + 1

    # Today says it arrived.
    page.get_by_role("link", name="Back to today").click()
    expect(page.get_by_role("status").filter(has_text="Sent to your clinic")).to_be_visible()


def test_a_red_flag_reported_offline_shows_its_advice_at_once_and_is_sent_when_back_online(
    pat_on_phone,
):
    context, page = pat_on_phone
    patient = Patient.objects.get(user__email=PATIENT)
    before = PainReport.objects.filter(patient=patient).count()

    context.set_offline(True)
    page.get_by_role("link", name="Report pain").first.click()
    expect(page.get_by_role("heading", name="How is your pain?")).to_be_visible()
    choose_pain(page, "How much does it hurt right now?", 6)
    flag = "New trouble passing urine, or losing control of your bladder or bowels"
    page.get_by_role("checkbox", name=flag).check()
    page.get_by_role("button", name="Send my pain report").click()

    advice = page.get_by_role("heading", name="Go to the emergency department now")
    expect(advice).to_be_visible()
    expect(page.get_by_text(flag)).to_be_visible()
    not_yet = "Your phone has no connection, so your therapist does not know yet."
    expect(page.get_by_text(not_yet).first).to_be_visible()
    expect(page.get_by_role("heading", name="Contact a doctor today")).to_be_hidden()
    expect(page.locator(".queue-item")).to_contain_text("Pain report: 6 out of 10")
    assert_accessible(page, context="emergency advice offline")
    assert PainReport.objects.filter(patient=patient).count() == before

    page.wait_for_timeout(1500)
    back_online = timezone.now()
    context.set_offline(False)
    expect(page.locator(".queue-item")).to_contain_text("Sent", timeout=15_000)
    report = PainReport.objects.filter(patient=patient).latest("recorded_at")
    assert PainReport.objects.filter(patient=patient).count() == before + 1
    assert (report.score, report.red_flags, report.red_flag_severity) == (
        6,
        ["bladder_bowel"],
        "emergency",
    )
    # It is dated when it was made on the phone, not when the network came back.
    assert report.recorded_at < back_online


def test_a_log_the_clinic_no_longer_takes_is_shown_with_the_reason(pat_on_phone):
    context, page = pat_on_phone
    plan = demo_plan()
    before = SessionLog.objects.filter(plan=plan).count()

    context.set_offline(True)
    session_offline(page)
    expect(page.locator(".queue-item")).to_contain_text("will be sent")

    # Meanwhile the therapist ended the plan.
    plan_status_change(
        plan=plan,
        status=PlanStatus.COMPLETED,
        changed_by=User.objects.get(email="therapist@example.com"),
    )
    context.set_offline(False)
    item = page.locator(".queue-item")
    expect(item).to_contain_text("Not accepted by your clinic", timeout=15_000)
    expect(item).to_contain_text("This plan is not active, so sessions cannot be logged to it.")
    assert SessionLog.objects.filter(plan=plan).count() == before
    item.get_by_role("button", name="Remove it from this phone").click()
    expect(page.locator(".queue-item")).to_have_count(0)
    expect(page.get_by_text("Nothing is waiting on this phone")).to_be_visible()


def test_signing_out_asks_before_unsent_logs_are_lost_and_leaves_nothing_on_the_phone(
    pat_on_phone,
):
    context, page = pat_on_phone
    context.set_offline(True)
    page.get_by_role("link", name="Report pain").first.click()
    choose_pain(page, "How much does it hurt right now?", 4)
    page.get_by_role("button", name="Send my pain report").click()
    expect(page.locator(".queue-item")).to_contain_text("will be sent")

    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.get_by_role("button", name="Show menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_timeout(500)
    assert asked and "lost" in asked[0]
    assert len(page.evaluate(QUEUE)) == 1  # kept: the patient said no

    context.set_offline(False)
    # Back online, the report goes first; signing out then asks nothing.
    expect(page.locator(".queue-item")).to_contain_text("Sent", timeout=15_000)
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert len(asked) == 1
    assert page.evaluate(KEPT) == {}
    assert page.evaluate(QUEUE) is None


def test_a_new_plan_replaces_the_old_one_on_the_phone_at_the_next_online_visit(
    pat_on_phone, live_server
):
    context, page = pat_on_phone
    old = demo_plan()
    therapist = User.objects.get(email="therapist@example.com")
    plan_status_change(plan=old, status=PlanStatus.COMPLETED, changed_by=therapist)
    new = prescribe_for_pat(
        "Hips and knees", ("heel-slide", {"sets": 1, "repetitions": 5, "hold_seconds": 0})
    )
    old_page = reverse("patients:session-log", args=[old.pk])
    new_page = reverse("patients:session-log", args=[new.pk])
    open_today_online(page, live_server)
    deadline = time.monotonic() + 15
    while old_page in (kept := page.evaluate(KEPT)["rehabit-pages"]) or new_page not in kept:
        assert time.monotonic() < deadline, kept
        page.wait_for_timeout(200)

    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="Hips and knees")).to_be_visible()
    expect(page.get_by_role("heading", name="Back spasm relief")).to_have_count(0)
    page.get_by_role("link", name=START).first.click()
    expect(page.get_by_role("heading", name="Before you start")).to_be_visible()
    expect(
        page.get_by_role(
            "heading", name=re.compile("Exercise 1 of 1: Heel slide"), include_hidden=True
        )
    ).to_be_attached()


def test_on_an_iphone_the_home_screen_guide_is_shown_once(browser, live_server, demo_data, sign_in):
    iphone = (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
    )
    context = browser.new_context(user_agent=iphone, viewport=PHONE, reduced_motion="reduce")
    page = context.new_page()
    violations = watch_csp_violations(page)
    sign_in(page, PATIENT)
    guide = page.get_by_role("region", name="Add Rehabit to your Home Screen")
    expect(guide).to_be_visible()
    expect(guide).to_contain_text("Add to Home Screen")
    assert_accessible(page, context="Today with the iPhone guide")
    guide.get_by_role("button", name="Got it").click()
    expect(guide).to_be_hidden()
    page.reload()
    expect(page.get_by_role("heading", name=re.compile("^Hello, "))).to_be_visible()
    expect(guide).to_be_hidden()
    context.close()
    assert violations == []


def test_a_push_shows_only_its_words_and_opens_its_page(pat_on_phone, live_server):
    """A push as the worker receives it from a push service (delivered here through DevTools,
    since the test machine reaches none): it shows the title and words it carries, under its
    tag, and keeps the page a tap opens."""
    context, page = pat_on_phone
    context.grant_permissions(["notifications"], origin=live_server.url)
    devtools = context.new_cdp_session(page)
    registrations = []
    devtools.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    devtools.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not registrations:
        assert time.monotonic() < deadline
        page.wait_for_timeout(100)
    registration = registrations[0]
    assert registration["scopeURL"] == live_server.url + "/patients/me/"
    note = {
        "title": "Time for your exercises",
        "body": "Open Rehabit to see today's routine.",
        "url": reverse("patients:today"),
        "tag": "reminder",
    }
    devtools.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_server.url,
            "registrationId": registration["registrationId"],
            "data": json.dumps(note),
        },
    )
    shown = []
    deadline = time.monotonic() + 10
    while not shown:
        assert time.monotonic() < deadline
        page.wait_for_timeout(100)
        shown = page.evaluate(
            """async () => (await (await navigator.serviceWorker.ready).getNotifications())
                 .map((n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data.url }))"""
        )
    assert shown == [
        {"title": note["title"], "body": note["body"], "tag": "reminder", "url": note["url"]}
    ]
