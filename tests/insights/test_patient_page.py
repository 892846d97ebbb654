"""The therapist's page of one patient: the summary at the top (plan and dose, adherence, pain
against baseline, alerts, last session), its sections, each event listed once, and what the page
must not show."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clinics.models import AuditAction, AuditEvent
from insights.selectors.review import DEFAULT_WINDOW, PLAN_WINDOW, plan_window
from insights.selectors.review.events import SESSIONS_SHOWN
from insights.selectors.review.pain import Verdict, pain_course
from patients.models import AlertKind, EntryStatus, SkipReason
from patients.services import patient_discharge, reminder_settings_update
from prescriptions.models import PlanStatus
from tests.insights.test_alerts import day, log_session, prescribe, report_pain
from tests.patients.factories import (
    PainReportFactory,
    PatientFactory,
    PatientWithAccountFactory,
    SessionLogEntryFactory,
    SessionLogFactory,
)
from tests.prescriptions.factories import PlanFactory, PlanItemFactory, PlanTemplateFactory


@pytest.fixture
def owned(therapist):
    """A patient of the owner persona, without a login of their own."""
    return PatientFactory(
        primary_therapist=therapist,
        first_name="Nora",
        last_name="Nolan",
        condition="Low back pain",
        date_of_birth=datetime.date(1970, 5, 17),
    )


def detail_url(patient):
    return reverse("insights:patient-detail", args=[patient.pk])


def test_the_caseload_links_to_each_patient_and_to_adding_one(client, owned, therapist):
    client.force_login(therapist)
    page = client.get(reverse("insights:caseload")).text
    assert f'href="{detail_url(owned)}"' in page
    assert f'href="{reverse("patients:patient-add")}"' in page


def test_the_patient_page_shows_details_plans_sessions_and_pain(
    client, owned, therapist, other_clinic
):
    owned.clinic.time_zone = "America/New_York"
    owned.clinic.save()
    current = PlanFactory(
        patient=owned,
        prescribed_by=therapist,
        title="Morning stretches",
        start_date=datetime.date(2024, 7, 1),
        times_per_day=2,
    )
    first, second = PlanItemFactory.create_batch(2, plan=current)
    PlanFactory(
        patient=owned,
        prescribed_by=therapist,
        title="Old routine",
        status=PlanStatus.COMPLETED,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 3, 1),
    )
    PlanFactory(patient=owned, prescribed_by=therapist, title="Dropped", status="discontinued")
    session = SessionLogFactory(
        plan=current,
        performed_at=datetime.datetime(2024, 7, 15, 12, 5, tzinfo=datetime.UTC),
        pain_before=3,
        pain_after=6,
        is_flagged=True,
        flag_reason="an exercise was skipped because of pain",
        note="Felt a twinge on the second one.",
    )
    SessionLogEntryFactory(session=session, plan_item=first)
    SessionLogEntryFactory(
        session=session,
        plan_item=second,
        status=EntryStatus.SKIPPED,
        skip_reason=SkipReason.PAIN,
    )
    PainReportFactory(
        patient=owned,
        score=8,
        body_location="Lower back, left side",
        red_flags=["saddle_numbness"],
        red_flag_severity="emergency",
        recorded_at=datetime.datetime(2024, 7, 16, 3, 0, tzinfo=datetime.UTC),
    )
    PlanTemplateFactory(clinic=owned.clinic, name="Back spasm starter")
    PlanTemplateFactory(clinic=other_clinic, name="Hillside secret")
    client.force_login(therapist)

    response = client.get(detail_url(owned))

    page = response.text
    assert response.status_code == 200
    assert "<h1" in page and "Nora Nolan" in page
    assert "Low back pain" in page
    assert "17 May 1970" in page and "years old" in page
    assert "Tess Owner" in page
    assert (
        page.index("Morning stretches") < page.index("Past plans (2)") < page.index("Old routine")
    )
    assert "Dropped" in page and "Discontinued" in page
    assert "Twice a day, every day" in page
    assert reverse("prescriptions:plan-detail", args=[current.pk]) in page
    assert f'href="{reverse("patients:plan-create", args=[owned.pk])}"' in page
    template_link = reverse("patients:plan-create", args=[owned.pk]) + "?template="
    assert page.count(template_link) == 1
    assert "Back spasm starter" in page
    assert "Hillside secret" not in page
    assert "15 Jul 2024, 08:05" in page  # New York time, not UTC
    assert "1 of 2" in page
    assert "Flagged" in page and "skipped because of pain" in page
    assert "Felt a twinge" in page
    assert "8/10" in page and "Lower back, left side" in page
    assert "Emergency red flag" in page
    assert "15 Jul 2024, 23:00" in page
    assert "Numbness or tingling" in page


def test_an_empty_patient_page_says_so(client, owned, therapist):
    client.force_login(therapist)
    page = client.get(detail_url(owned)).text
    assert "No current plan." in page
    assert "No sessions logged yet." in page
    assert "No pain reports yet." in page


def test_another_patients_records_stay_off_the_page(client, owned, therapist):
    other = PatientFactory(primary_therapist=therapist)
    plan = PlanFactory(patient=other, prescribed_by=therapist, title="Someone else's plan")
    SessionLogFactory(plan=plan, note="Someone else's note")
    PainReportFactory(patient=other, body_location="Someone else's knee")
    client.force_login(therapist)
    page = client.get(detail_url(owned)).text
    assert "Someone else" not in page


def test_patient_page_query_count_does_not_grow_with_history(
    client, owned, therapist, django_assert_max_num_queries
):
    add_history(owned, plans=1, sessions=2, pain_reports=1)
    PlanTemplateFactory(clinic=owned.clinic)
    client.force_login(therapist)
    # session, user, clinic, patient (access); patient page: patient, plans, the current
    # plans' exercises, the last session, templates, the plans, pauses and sessions per plan
    # and day over the charts' window and the last 30 days (read once for the summary's
    # adherence, the alerts and the calendar), the alerts (facts; pain trend: latest, windows,
    # sums; acknowledgements); the review's 10 (see test_review); the staff member's unread
    # messages; the monitoring section's enrolment; the outcomes section's scores, settings,
    # activities and pain course (1 + 1 + 1 + 1 with no scores; tests/outcomes counts it with
    # scores)
    with django_assert_max_num_queries(34) as small:  # 33, and the audit row
        response = client.get(detail_url(owned))
    assert response.status_code == 200

    # 6 plans (one completed), 30 sessions of 2 exercises each, 10 pain reports.
    add_history(owned, plans=4, sessions=28, pain_reports=9, completed_plans=1)
    PlanTemplateFactory.create_batch(8, clinic=owned.clinic)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(detail_url(owned))
    assert len(large.captured_queries) == len(small.captured_queries)
    page = response.text
    assert page.count('class="plan-card"') == 6
    assert page.count('<li class="event event-session" id="session-') == 30
    assert page.count('<li class="event event-pain" id="pain-') == 10


def add_history(patient, *, plans, sessions, pain_reports, completed_plans=0):
    therapist = patient.primary_therapist
    made = [PlanFactory(patient=patient, prescribed_by=therapist) for _ in range(plans)]
    made += [
        PlanFactory(patient=patient, prescribed_by=therapist, status=PlanStatus.COMPLETED)
        for _ in range(completed_plans)
    ]
    for plan in made:
        PlanItemFactory.create_batch(2, plan=plan)
    for index in range(sessions):
        plan = made[index % len(made)]
        session = SessionLogFactory(
            plan=plan, performed_at=timezone.now() - datetime.timedelta(hours=index + 1)
        )
        for item in plan.items.all():
            SessionLogEntryFactory(session=session, plan_item=item)
    PainReportFactory.create_batch(pain_reports, patient=patient)


# What needs the therapist now, and what the patient chose


def test_an_emergency_red_flag_stands_at_the_top_of_the_patient_page_until_acknowledged(
    client, therapist
):
    patient = PatientWithAccountFactory(primary_therapist=therapist, phone="+1 555 0100")
    report = report_pain(patient, 4, red_flags=["bladder_bowel"])
    report_pain(patient, 8, days_ago=1)  # high pain: an open alert, not an emergency
    client.force_login(therapist)

    page = client.get(detail_url(patient)).text

    banner = page[page.index('class="emergency-banner') : page.index("</section>")]
    assert "Emergency red flag: contact the patient now" in banner
    assert "trouble passing urine" in banner and 'href="tel:+1 555 0100"' in banner
    assert f'name="event_key" value="report:{report.pk}"' in banner
    assert 'name="csrfmiddlewaretoken"' in banner
    assert page.index("emergency-banner") < page.index('id="summary-heading"')
    assert "Open alert (1)" in page and "High pain:</span>" in page

    response = client.post(
        reverse("insights:alert-acknowledge", args=[patient.pk]),
        {
            "kind": AlertKind.RED_FLAG,
            "event_key": f"report:{report.pk}",
            "note": "Called: on the way to the emergency department.",
            "next": detail_url(patient),
        },
    )

    assert response.url == detail_url(patient)
    page = client.get(response.url).text
    assert "emergency-banner" not in page
    assert "Alert acknowledged for" in page
    assert "Open alert (1)" in page


def test_the_page_says_whether_the_patients_reminders_are_on_and_when(client, therapist):
    patient = PatientWithAccountFactory(primary_therapist=therapist)
    prescribe(patient, therapist, times_per_day=2)
    client.force_login(therapist)

    def reminders() -> str:
        page = client.get(detail_url(patient)).text
        start = page.index(">Reminders</dt>")
        return page[start : page.index("</dd>", start)]

    assert "On, by email at 09:00, 18:00 (the default for 2 sessions a day)" in reminders()
    reminder_settings_update(
        patient=patient, updated_by=patient.user, is_on=True, times=[datetime.time(7, 30)]
    )
    assert "On, by email at 07:30 (times chosen by the patient)" in reminders()
    reminder_settings_update(patient=patient, updated_by=patient.user, is_on=False, times=[])
    assert "Off: the patient turned them off." in reminders()
    # Staff see them; nothing on the page changes them.
    page = client.get(detail_url(patient)).text
    assert reverse("patients:account") not in page and 'name="is_on"' not in page
    patient_discharge(patient=patient, discharged_by=therapist)
    assert "None: discharged patients are not reminded." in reminders()


def test_a_patient_without_a_sign_in_has_no_reminders_yet(client, owned, therapist):
    client.force_login(therapist)
    page = client.get(detail_url(owned)).text
    assert "None yet: reminders start once the patient has a sign-in." in page


# The summary at the top


def summary_of(page: str) -> str:
    return page[page.index('class="patient-summary') : page.index('class="section-nav"')]


@pytest.mark.parametrize(
    ("first_week", "latest", "verdict", "headline"),
    [
        (
            [7, 7],
            3,
            Verdict.IMPROVING,
            "Pain 3/10, down 4 from 7 in the first week — a clinically important improvement.",
        ),
        (
            [3],
            6,
            Verdict.WORSENING,
            "Pain 6/10, up 3 from 3 in the first week — a clinically important worsening.",
        ),
        (
            [5],
            4,
            Verdict.STEADY,
            "Pain 4/10, down 1 from 5 in the first week — not a clinically important change.",
        ),
        # 1 point is under 2 points but 33% of a baseline of 3: important all the same.
        (
            [3],
            2,
            Verdict.IMPROVING,
            "Pain 2/10, down 1 from 3 in the first week — a clinically important improvement.",
        ),
        (
            [6, 5],
            5,
            Verdict.STEADY,
            "Pain 5/10, down 0.5 from 5.5 in the first week — not a clinically important change.",
        ),
        (
            [4],
            4,
            Verdict.STEADY,
            "Pain 4/10, the same as in the first week — not a clinically important change.",
        ),
    ],
)
def test_the_summary_says_pain_now_against_baseline_with_its_verdict(
    client, patient, therapist, first_week, latest, verdict, headline
):
    for hour, score in enumerate(first_week, start=8):
        report_pain(patient, score, days_ago=20, hour=hour)
    report_pain(patient, latest, days_ago=1)

    summary = pain_course(patient=patient, today=patient.clinic.today())

    assert (summary.verdict, summary.headline) == (verdict, headline)
    client.force_login(therapist)
    shown = summary_of(client.get(detail_url(patient)).text)
    assert f'<p class="mb-0 pain-verdict pain-verdict-{verdict}">{headline}</p>' in shown


def test_a_score_inside_the_first_week_has_no_baseline_to_be_judged_against(
    client, patient, therapist
):
    report_pain(patient, 6, days_ago=4)
    report_pain(patient, 2, days_ago=1)  # 4 down, but the baseline week is not over

    summary = pain_course(patient=patient, today=patient.clinic.today())

    baseline_ends = day(patient, 4) + datetime.timedelta(days=6)
    assert summary.verdict == Verdict.NO_BASELINE
    assert summary.headline == (
        "Pain 2/10. No baseline yet: it is the average of the first week's scores, up to "
        f"{baseline_ends.day} {baseline_ends:%b}."
    )
    client.force_login(therapist)
    shown = summary_of(client.get(detail_url(patient)).text).replace("&#x27;", "'")
    assert summary.headline in shown


def test_without_pain_scores_the_summary_says_so(client, owned, therapist):
    summary = pain_course(patient=owned, today=owned.clinic.today())
    assert (summary.verdict, summary.headline) == (Verdict.NO_SCORES, "No pain scores yet.")
    client.force_login(therapist)
    shown = summary_of(client.get(detail_url(owned)).text)
    assert "No pain scores yet." in shown
    assert "No current plan." in shown and "No sessions logged yet." in shown
    assert "Nothing prescribed in the last 30 days." in shown


def test_the_summary_gives_the_plan_and_its_dose_in_words_adherence_and_the_last_session(
    client, patient, therapist
):
    plan = prescribe(patient, therapist, start_days_ago=9, end_date=day(patient, -18))
    item = plan.items.get()
    item.sets, item.repetitions, item.hold_seconds, item.rest_seconds = 1, 3, 30, 10
    item.save()
    for ago in (1, 2, 3, 4, 5, 8):
        log_session(patient, plan, days_ago=ago, pain_before=4, pain_after=3)
    last = log_session(patient, plan, days_ago=0, pain_before=5, pain_after=2)
    client.force_login(therapist)

    shown = summary_of(client.get(detail_url(patient)).text)

    assert "Back spasm relief" in shown and "day 10 of 28, ends " in shown
    assert "Once a day, every day:" in shown
    assert f"{item.exercise.name}</span>: hold 30 seconds, 3 times, rest 10 seconds between" in (
        shown
    )
    # 7 days: today and the 6 before, 6 of them logged; 30 days: the plan's 10 days, 7 logged.
    assert '<span class="summary-figure">86%</span> last 7 days (6 of 7 sessions)' in shown
    assert '<span class="summary-figure is-low">70%</span> last 30 days (7 of 10)' in shown
    assert "Under the 80% usually counted as adherent." in shown
    assert f'href="{detail_url(patient)}#session-{last.pk}"' in shown
    assert "1 of 1 exercises done; pain 5 before, 2 after" in shown
    conversation = reverse("messaging:patient-messages", args=[patient.pk])
    assert f'None unread · <a href="{conversation}">Open the conversation</a>' in shown


def test_low_adherence_is_marked_in_the_summary(client, patient, therapist):
    plan = prescribe(patient, therapist, start_days_ago=9)
    log_session(patient, plan, days_ago=2)
    client.force_login(therapist)
    shown = summary_of(client.get(detail_url(patient)).text)
    assert '<span class="summary-figure is-low">14%</span> last 7 days (1 of 7 sessions)' in shown
    assert "Under the 80% usually counted as adherent." in shown


# The charts' window


def test_the_charts_default_to_the_active_plans_span(client, patient, therapist):
    prescribe(patient, therapist, start_days_ago=20)
    client.force_login(therapist)

    response = client.get(detail_url(patient))

    window = response.context["review"].window
    assert (window.choice, window.start, window.end) == (
        PLAN_WINDOW,
        day(patient, 20),
        day(patient, 0),
    )
    assert window.days == 21
    page = response.text
    assert 'href="?days=plan#progress" aria-current="true">This plan (21 days)</a>' in page
    for choice in (30, 90, 365):  # the fixed windows stay on offer
        assert f'href="?days={choice}#progress">{choice} days</a>' in page
    assert "The active plan's time so far:" in page

    response = client.get(detail_url(patient), {"days": "30"})
    assert response.context["review"].days == 30
    assert 'href="?days=30#progress" aria-current="true"' in response.text
    assert 'href="?days=plan#progress">This plan (21 days)</a>' in response.text


def test_a_plan_of_a_few_days_shows_two_weeks_and_an_ended_one_stops_at_its_end(patient, therapist):
    today = patient.clinic.today()
    young = PlanFactory(patient=patient, prescribed_by=therapist, start_date=day(patient, 3))
    window = plan_window(plans=[young], today=today)
    assert (window.start, window.end, window.days) == (day(patient, 13), today, 14)

    ended = PlanFactory(
        patient=patient,
        prescribed_by=therapist,
        start_date=day(patient, 40),
        end_date=day(patient, 5),
    )
    window = plan_window(plans=[ended], today=today)
    assert (window.start, window.end) == (day(patient, 40), day(patient, 5))
    # Two active plans: from the first start; one without an end runs to today.
    window = plan_window(plans=[ended, young], today=today)
    assert (window.start, window.end) == (day(patient, 40), today)

    ancient = PlanFactory(patient=patient, prescribed_by=therapist, start_date=day(patient, 800))
    assert plan_window(plans=[ancient], today=today).days == 365


@pytest.mark.parametrize("status", [PlanStatus.PAUSED, PlanStatus.COMPLETED, "future"])
def test_without_an_active_plan_under_way_the_charts_keep_the_previous_default(
    client, patient, therapist, status
):
    if status == "future":
        PlanFactory(patient=patient, prescribed_by=therapist, start_date=day(patient, -3))
    else:
        PlanFactory(
            patient=patient, prescribed_by=therapist, start_date=day(patient, 20), status=status
        )
    client.force_login(therapist)
    response = client.get(detail_url(patient))
    review = response.context["review"]
    assert (review.window.choice, review.days) == (str(DEFAULT_WINDOW), DEFAULT_WINDOW)
    assert review.plan_span is None
    assert "This plan (" not in response.text


# Each event once, where alerts link to it


def test_each_session_and_pain_report_has_one_home_where_the_alerts_link(
    client, patient, therapist
):
    plan = prescribe(patient, therapist, start_days_ago=20)
    sessions = [
        log_session(patient, plan, days_ago=ago, note=f"Written on day {ago}.")
        for ago in range(12, 0, -1)
    ]
    flagged = log_session(
        patient, plan, days_ago=0, skipped_for_pain=True, note="Written on day 0."
    )
    sessions.append(flagged)
    reports = [report_pain(patient, 3, days_ago=ago, hour=20) for ago in (9, 6, 3)]
    red_flag = report_pain(patient, 5, days_ago=0, red_flags=["fever"])
    reports.append(red_flag)
    client.force_login(therapist)

    response = client.get(detail_url(patient))

    page = response.text
    for session in sessions:
        assert page.count(f'id="session-{session.pk}"') == 1
        assert page.count(session.note) == 1  # the session in full, in one place
    for report in reports:
        assert page.count(f'id="pain-{report.pk}"') == 1
    assert page.count('class="event event-session"') == len(sessions)
    assert page.count('class="event event-pain"') == len(reports)
    assert "timeline" not in page and "Recent sessions" not in page
    # The alerts' evidence links point at anchors on this page.
    alerts = {alert.kind: alert for alert in response.context["page"].alerts.open}
    assert alerts[AlertKind.SESSION_FLAGGED].evidence_url.endswith(f"#session-{flagged.pk}")
    assert alerts[AlertKind.RED_FLAG].evidence_url.endswith(f"#pain-{red_flag.pk}")
    # The newest sessions are shown; the rest of the page folds away, anchors and all.
    sessions_part = page.split('id="sessions-heading"')[1].split('id="pain-heading"')[0]
    shown, folded = sessions_part.split('<details class="event-more">')
    assert shown.count('id="session-') == SESSIONS_SHOWN
    assert f'id="session-{flagged.pk}"' in shown
    assert folded.count('id="session-') == len(sessions) - SESSIONS_SHOWN
    assert f"Show {len(sessions) - SESSIONS_SHOWN} earlier sessions" in folded


def test_every_section_is_reached_from_the_page_navigation(client, patient, therapist):
    client.force_login(therapist)
    page = client.get(detail_url(patient)).text
    nav = page.split('class="section-nav"')[1].split("</nav>")[0]
    anchors = ["plan", "progress", "sessions", "pain", "record"]
    assert [f'href="#{anchor}"' in nav for anchor in anchors] == [True] * 5
    positions = [
        page.index(f'<section class="patient-section{extra}" id="{anchor}"')
        for anchor, extra in zip(anchors, ["", " review", "", "", ""], strict=True)
    ]
    assert positions == sorted(positions)
    assert page.index('class="patient-summary') < page.index('class="section-nav"') < positions[0]


# The read is audited and never cached


def test_each_view_of_the_page_leaves_an_audit_row_and_is_not_cached(client, patient, therapist):
    plan = prescribe(patient, therapist)
    for hour in range(8, 20):
        for ago in range(4):
            log_session(patient, plan, days_ago=ago + 1, hour=hour)
    client.force_login(therapist)

    response = client.get(detail_url(patient))

    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(patient=patient, action=AuditAction.PATIENT_VIEWED)
    assert event.actor == therapist
    earlier = response.context["review"].sessions.earlier_before
    assert earlier is not None
    response = client.get(detail_url(patient), {"before": earlier.isoformat(), "days": "30"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert (
        AuditEvent.objects.filter(patient=patient, action=AuditAction.HISTORY_VIEWED).count() == 1
    )
    assert (
        AuditEvent.objects.filter(patient=patient, action=AuditAction.PATIENT_VIEWED).count() == 1
    )


def test_the_record_section_leads_a_clinic_admin_to_the_patients_audit_trail(
    client, owned, therapist, clinic_admin
):
    trail = f'href="{reverse("console:audit-trail")}?patient={owned.pk}"'
    client.force_login(clinic_admin)
    page = client.get(detail_url(owned)).text
    record = page.split('id="record-heading"')[1]
    assert trail in record
    assert f'href="{reverse("insights:patient-export", args=[owned.pk])}"' in record
    client.force_login(therapist)
    assert trail not in client.get(detail_url(owned)).text


def test_alerts_about_the_whole_patient_link_to_the_section_they_are_about(
    client, patient, therapist
):
    prescribe(patient, therapist, start_days_ago=20)  # nothing logged since
    client.force_login(therapist)
    shown = summary_of(client.get(detail_url(patient)).text)
    inactive = shown.split("No recent session:</span>")[1].split("</li>")[0]
    assert '<a href="#sessions">' in inactive
    low = shown.split("Low adherence:</span>")[1].split("</li>")[0]
    assert '<a href="#progress">' in low
