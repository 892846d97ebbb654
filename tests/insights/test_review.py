"""The therapist's review of a patient on the patient page: the pain chart, the adherence
calendar, each exercise against its dose, the plan changes, the sessions and pain reports, and
the CSV export of the logs."""

import csv
import datetime
import io
import re
import uuid

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from insights.selectors.exports import PAIN_REPORT_COLUMNS, SESSION_COLUMNS, csv_safe
from insights.selectors.review.calendar import DayState
from insights.selectors.review.events import PAIN_REPORTS_PAGE_SIZE, SESSIONS_PAGE_SIZE
from insights.selectors.review.pain import pain_course
from lib import charts
from patients.models import EntryStatus, PainReport, SessionLog, SkipReason
from patients.services import (
    EntryInput,
    pain_report_record,
    session_log_correct,
    session_log_record,
)
from patients.trends import pain_trend
from prescriptions.models import PlanStatus
from prescriptions.schedule import EVERY_DAY
from prescriptions.services import plan_status_change
from tests.patients.factories import PainReportFactory, SessionLogEntryFactory, SessionLogFactory
from tests.prescriptions.factories import PlanFactory, PlanItemFactory


def detail_url(patient, **query):
    url = reverse("insights:patient-detail", args=[patient.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def export_url(patient):
    return reverse("insights:patient-export", args=[patient.pk])


def days_ago(patient, days: int) -> datetime.date:
    return patient.clinic.today() - datetime.timedelta(days=days)


def at_local(patient, day: datetime.date, hour: int = 12, minute: int = 0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=patient.clinic.zone)


def log(plan, day, *, hour=12, minute=0, entries=None, **values):
    values.setdefault("pain_before", 4)
    values.setdefault("pain_after", 3)
    return session_log_record(
        patient=plan.patient,
        plan=plan,
        performed_at=at_local(plan.patient, day, hour, minute),
        entries=entries or [EntryInput.as_prescribed(item) for item in plan.items.all()],
        client_token=uuid.uuid4(),
        recorded_by=plan.patient.user,
        **values,
    )


def long_day(day: datetime.date) -> str:
    return f"{day:%A} {day.day} {day:%B}"


# The adherence calendar


@pytest.fixture
def followed_plan(patient, therapist):
    """Twice a day from 9 days ago, every weekday but yesterday's; paused 6 and 5 days ago."""
    rest_weekday = days_ago(patient, 1).weekday()
    plan = PlanFactory(
        patient=patient,
        prescribed_by=therapist,
        title="Back spasm relief",
        start_date=days_ago(patient, 9),
        times_per_day=2,
        weekdays=EVERY_DAY & ~(1 << rest_weekday),
    )
    PlanItemFactory(plan=plan)
    for ago, sessions in ((7, 3), (3, 1), (2, 2), (1, 1)):
        for number in range(sessions):
            log(plan, days_ago(patient, ago), hour=8 + number)
    plan_status_change(
        plan=plan, status=PlanStatus.PAUSED, changed_by=therapist, on=days_ago(patient, 6)
    )
    plan_status_change(
        plan=plan, status=PlanStatus.ACTIVE, changed_by=therapist, on=days_ago(patient, 4)
    )
    return plan


def test_the_calendar_shows_done_over_prescribed_for_each_day(
    client, patient, therapist, followed_plan
):
    client.force_login(therapist)
    response = client.get(detail_url(patient, days=30))

    calendar = response.context["review"].calendar
    expected = {
        0: (DayState.NONE, 0, 2, "0/2"),  # today, nothing yet
        1: (DayState.REST, 0, 0, "rest"),  # one session on a rest day: logged, not counted
        2: (DayState.ALL, 2, 2, "2/2"),
        3: (DayState.SOME, 1, 2, "1/2"),
        4: (DayState.NONE, 0, 2, "0/2"),  # the day the plan resumed counts again
        5: (DayState.PAUSED, 0, 0, "paused"),
        6: (DayState.PAUSED, 0, 0, "paused"),
        7: (DayState.ALL, 2, 2, "2/2"),  # three sessions, capped at the two prescribed
        8: (DayState.REST, 0, 0, "rest"),
        9: (DayState.NONE, 0, 2, "0/2"),
    }
    for ago, (state, done, prescribed, mark) in expected.items():
        cell = calendar.day(days_ago(patient, ago))
        assert (cell.state, cell.done, cell.prescribed, cell.mark) == (
            state,
            done,
            prescribed,
            mark,
        ), ago
    assert calendar.day(days_ago(patient, 7)).extra == 1
    assert calendar.day(days_ago(patient, 1)).extra == 1
    # Weeks before the plan's first are left out; its first week shows its days without one.
    plan_starts = days_ago(patient, 9)
    first_monday = plan_starts - datetime.timedelta(days=plan_starts.weekday())
    assert calendar.shown_from == first_monday
    assert calendar.weeks[0].monday == first_monday
    assert len(calendar.days) == (patient.clinic.today() - first_monday).days + 1
    before_plan = [day for day in calendar.days if day.day < plan_starts]
    assert all(day.state == DayState.NO_PLAN and day.mark == "–" for day in before_plan)
    assert all(len(week.days) == 7 for week in calendar.weeks)
    # Adherence still covers the whole window.
    assert (calendar.adherence.done, calendar.adherence.prescribed) == (5, 12)

    page = response.text
    assert "42% of the prescribed sessions done: 5 of 12." in page
    two_days = long_day(days_ago(patient, 2))
    assert f"{two_days}: 2 of 2 sessions done.</span>" in page
    seven_days = long_day(days_ago(patient, 7))
    assert f"{seven_days}: 2 of 2 sessions done, and 1 more session logged." in page
    assert f"{long_day(days_ago(patient, 5))}: Plan paused." in page
    assert f"{long_day(days_ago(patient, 1))}: Rest day, and 1 more session logged." in page
    assert f"{long_day(days_ago(patient, 0))} (today): 0 of 2 sessions done." in page
    assert f"No plan before the week of {first_monday.day} {first_monday:%b %Y}" in page
    for day in before_plan:
        assert f"{long_day(day.day)}: No plan." in page
    # Each day shows its numbers or a word, never only a colour; the key names every state.
    assert page.count('<span class="heat-mark" aria-hidden="true">2/2 +1</span>') == 1
    for label in ("All done", "Some done", "None done", "Rest day", "Plan paused", "No plan"):
        assert f"</span> {label}</li>" in page


def test_an_empty_review_says_so(client, patient, therapist):
    client.force_login(therapist)
    page = client.get(detail_url(patient)).text
    assert "The last 90 days:" in page
    assert "No pain scores yet." in page
    assert "No pain scores in these days." in page
    assert "<svg" not in page
    assert "No sessions were prescribed in these days." in page
    assert "No exercises prescribed or logged in these days." in page
    assert "No sessions logged yet." in page and "No pain reports yet." in page
    assert "Changes since" not in page


# Each exercise against its dose


def test_each_exercise_is_counted_and_averaged_against_its_dose(client, patient, therapist):
    plan = PlanFactory(patient=patient, prescribed_by=therapist, start_date=days_ago(patient, 10))
    stretch = PlanItemFactory(
        plan=plan, exercise__name="Knee-to-chest", sets=1, repetitions=3, hold_seconds=30
    )
    moving = PlanItemFactory(
        plan=plan, exercise__name="Pelvic tilt", sets=2, repetitions=10, hold_seconds=0
    )
    PlanItemFactory(plan=plan, exercise__name="Cat-cow")

    def entry(item, status, sets, reps, hold, reason=SkipReason.NONE):
        return EntryInput(item, status, sets, reps, hold, skip_reason=reason)

    done, partial, skipped = EntryStatus.COMPLETED, EntryStatus.PARTIAL, EntryStatus.SKIPPED
    for ago, entries in (
        (4, [entry(stretch, done, 1, 3, 30), entry(moving, done, 2, 10, 0)]),
        (3, [entry(stretch, partial, 1, 2, 20), entry(moving, done, 2, 10, 0)]),
        (2, [entry(stretch, skipped, 0, 0, 0, SkipReason.PAIN), entry(moving, done, 2, 10, 0)]),
        (
            1,
            [entry(stretch, skipped, 0, 0, 0, SkipReason.NO_TIME), entry(moving, partial, 2, 5, 0)],
        ),
    ):
        log(plan, days_ago(patient, ago), entries=entries, pain_before=3, pain_after=3)
    client.force_login(therapist)

    response = client.get(detail_url(patient))

    exercises = {review.name: review for review in response.context["review"].exercises}
    assert list(exercises) == ["Knee-to-chest", "Pelvic tilt", "Cat-cow"]  # the plan's order
    knee = exercises["Knee-to-chest"]
    assert (knee.logged, knee.completed, knee.partial, knee.skipped) == (4, 1, 1, 2)
    assert knee.skip_reasons == (("Pain", 1), ("No time", 1))
    # Averages over the two sessions it was done; the dose share counts the skipped ones too.
    assert (knee.sets_done, knee.sets_prescribed) == (1, 1)
    assert (knee.repetitions_done, knee.repetitions_prescribed) == (2.5, 3)
    assert (knee.hold_done, knee.hold_prescribed) == (25, 30)
    assert knee.is_timed
    assert (knee.dose_done, knee.dose_prescribed) == (3 * 30 + 2 * 20, 4 * 3 * 30)
    assert knee.dose_percent == 36
    tilt = exercises["Pelvic tilt"]
    assert (tilt.logged, tilt.completed, tilt.partial, tilt.skipped) == (4, 3, 1, 0)
    assert (tilt.repetitions_done, tilt.repetitions_prescribed) == (8.75, 10)
    assert not tilt.is_timed
    assert (tilt.dose_done, tilt.dose_prescribed) == (3 * 20 + 10, 4 * 20)
    assert tilt.dose_percent == 88
    assert exercises["Cat-cow"].logged == 0

    table = response.text.split('review-exercises stacking-table"')[1]
    table = table.split("</table>")[0]
    knee_row = table.split("Knee-to-chest</th>")[1].split("</tr>")[0]
    assert re.findall(r"<td[^>]*>([^<]*)", knee_row)[:7] == [
        "4",
        "1",
        "1",
        "2 ",
        "1 / 1",
        "2.5 / 3",
        "25 s / 30 s",
    ]
    assert "(pain 1, no time 1)" in knee_row
    assert "36%" in knee_row and "of the prescribed hold time" in knee_row
    tilt_row = table.split("Pelvic tilt</th>")[1].split("</tr>")[0]
    assert "8.8 / 10" in tilt_row and "No hold" in tilt_row and "88%" in tilt_row
    assert "of the prescribed repetitions" in tilt_row
    assert "Not logged in these days." in table.split("Cat-cow</th>")[1]
    # Each session says which exercise fell short, and by how much.
    assert "<li>Knee-to-chest: partly done, 1 × 2 × 20 s of 1 × 3 × 30 s</li>" in response.text
    assert "<li>Pelvic tilt: partly done, 2 × 5 of 2 × 10</li>" in response.text
    assert "<li>Knee-to-chest: skipped (no time)</li>" in response.text


# Pain over time


@pytest.fixture
def easing_pain(patient, therapist):
    """Four weeks of sessions, pain easing from 6 to 3, two pain reports, a plan change."""
    plan = PlanFactory(patient=patient, prescribed_by=therapist, start_date=days_ago(patient, 30))
    PlanItemFactory(plan=plan)
    for ago in range(28, 21, -1):  # the first week: 6 after every session
        log(plan, days_ago(patient, ago), pain_before=7, pain_after=6)
    for ago in (14, 7):
        log(plan, days_ago(patient, ago), pain_before=5, pain_after=4)
    log(plan, days_ago(patient, 1), pain_before=4, pain_after=3)
    for ago, score in ((20, 6), (10, 5)):
        pain_report_record(
            patient=patient,
            score=score,
            recorded_by=patient.user,
            recorded_at=at_local(patient, days_ago(patient, ago), 20),
        )
    plan_status_change(plan=plan, status=PlanStatus.PAUSED, changed_by=therapist)
    return plan


def test_the_pain_chart_is_drawn_with_accessible_text_and_a_table(
    client, patient, therapist, easing_pain
):
    client.force_login(therapist)
    page = client.get(detail_url(patient)).text

    sentence = (
        "Pain fell from 6 to 3 over 4 weeks (from the first week's average to the latest "
        "score): a clinically important improvement."
    )
    assert f'<p class="review-pain-summary small">{sentence}</p>' in page.replace("&#x27;", "'")
    svg = re.search(r'<svg[^>]*aria-labelledby="review-pain-chart-title[^>]*>', page).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="review-pain-chart-title review-pain-chart-desc"' in svg
    assert re.search(r'<title id="review-pain-chart-title">Pain, [^<]+</title>', page)
    desc = re.search(r'<desc id="review-pain-chart-desc">([^<]+)</desc>', page).group(1)
    desc = desc.replace("&#x27;", "'")
    assert desc.startswith(sentence)
    assert "Pain from 0 (No pain) to 10 (Worst pain imaginable)" in desc
    assert "Before session: 10 scores, 7 at first and 4 most recently" in desc
    assert "After session: 10 scores, 6 at first and 3 most recently" in desc
    assert "Pain report: 2 scores, 6 at first and 5 most recently" in desc
    assert "Plan change: version 2 of Back spasm relief on " in desc
    svg_body = page.split('aria-labelledby="review-pain-chart-title', 1)[1].split("</svg>")[0]
    assert 'stroke-dasharray="2 2"' in svg_body and ">v2</text>" in svg_body
    assert not re.search(r"\sstyle=", svg_body)  # the Content-Security-Policy forbids it

    table = page.split('class="table table-sm mt-2 review-pain-table"')[1].split("</table>")[0]
    assert "Pain from 0 (no pain) to 10 (worst pain imaginable), oldest first." in table
    rows = re.findall(r"<tr><th[^>]*><time[^>]*>([^<]+)</time></th>(.*?)</tr>", table)
    assert len(rows) == 12  # ten sessions and two reports, one row each
    first_when, first_cells = rows[0]
    assert first_cells == "<td>7</td><td>6</td><td></td>"
    assert first_when.endswith(", 12:00")
    assert rows[-1][1] == "<td>4</td><td>3</td><td></td>"
    assert "<td></td><td></td><td>6</td>" in table


def test_the_year_chart_draws_weekly_averages(client, patient, therapist, easing_pain):
    client.force_login(therapist)
    response = client.get(detail_url(patient, days=365))
    review = response.context["review"]
    assert review.days == 365 and review.chart_is_weekly
    assert "Before session, weekly average" in review.chart.description
    assert "Weekly average pain from 0" in response.text

    # One row for each week with a score, its averages worked out in SQL.
    def monday(ago):
        day = days_ago(patient, ago)
        return day - datetime.timedelta(days=day.weekday())

    weeks = {monday(ago) for ago in [*range(28, 21, -1), 14, 7, 1, 20, 10]}
    assert len(review.pain_rows) == len(weeks)
    assert all(row.when.startswith("Week of ") for row in review.pain_rows)
    latest = review.pain_rows[-1]
    assert latest.iso == monday(1).isoformat()
    assert (latest.before, latest.after) == ("4", "3") or monday(7) == monday(1)


@pytest.mark.parametrize(("asked", "shown"), [("30", 30), ("365", 365), ("7", 90), ("x", 90)])
def test_the_window_is_one_of_the_choices(client, patient, therapist, asked, shown):
    client.force_login(therapist)
    response = client.get(detail_url(patient, days=asked))
    assert response.context["review"].days == shown
    assert f'href="?days={shown}#progress" aria-current="true"' in response.text


def test_the_pain_summary_reads_the_points_the_trends_rules_need(patient, therapist, easing_pain):
    # A later session with pain before only, and a pain report after it: the latest value.
    log(easing_pain, days_ago(patient, 1), hour=15, pain_before=5, pain_after=None)
    pain_report_record(patient=patient, score=2, recorded_by=patient.user)
    today, zone = patient.clinic.today(), patient.clinic.zone
    every_point = [
        (timezone.localtime(session.performed_at, zone), session.pain_after)
        if session.pain_after is not None
        else (timezone.localtime(session.performed_at, zone), session.pain_before)
        for session in SessionLog.objects.filter(patient=patient)
    ] + [
        (timezone.localtime(report.recorded_at, zone), report.score)
        for report in PainReport.objects.filter(patient=patient)
    ]
    trend = pain_trend(every_point, today=today)
    assert (trend.baseline, trend.latest, trend.direction) == (6, 2, "improving")

    summary = pain_course(patient=patient, today=today)

    assert summary.direction == trend.direction
    assert summary.sentence.startswith("Pain fell from 6 to 2 over 4 weeks")


# Sessions, pain reports and plan changes: each in its own section, once


NEXT_ENTRY = '<li class="event'


def test_sessions_pain_reports_and_plan_changes_each_have_their_section(client, patient, therapist):
    patient.clinic.time_zone = "America/New_York"
    patient.clinic.save()
    plan = PlanFactory(
        patient=patient,
        prescribed_by=therapist,
        title="Morning stretches",
        start_date=days_ago(patient, 20),
    )
    first, second = PlanItemFactory.create_batch(2, plan=plan)
    older = log(
        plan,
        days_ago(patient, 3),
        hour=7,
        minute=5,
        pain_before=3,
        pain_after=6,
        difficulty="too_hard",
        note="Twinge on the second one.",
        entries=[
            EntryInput.as_prescribed(first),
            EntryInput(
                second, EntryStatus.SKIPPED, 0, 0, 0, skip_reason=SkipReason.PAIN, note="Sharp."
            ),
        ],
    )
    report = pain_report_record(
        patient=patient,
        score=8,
        recorded_by=patient.user,
        recorded_at=at_local(patient, days_ago(patient, 2), 21, 30),
        body_location="Lower back, left side",
        red_flag_codes=["saddle_numbness"],
    )
    newer = log(plan, days_ago(patient, 1), hour=18, pain_before=4, pain_after=4)
    session_log_correct(session=newer, corrected_by=patient.user, reason="Typo", note="Went fine.")
    plan_status_change(plan=plan, status=PlanStatus.PAUSED, changed_by=therapist)
    revision = plan.revisions.get()
    client.force_login(therapist)

    page = client.get(detail_url(patient)).text

    sessions = page.split('id="sessions-heading"')[1].split("</section>")[0]
    anchors = re.findall(r'<li class="event event-session" id="(session-\d+)">', sessions)
    assert anchors == [f"session-{newer.pk}", f"session-{older.pk}"]
    old_entry = sessions.split(f'id="session-{older.pk}"')[1].split(NEXT_ENTRY)[0]
    local = timezone.localtime(older.performed_at, patient.clinic.zone)
    assert f"{local:%a} {local.day} {local:%b %Y}, 07:05" in old_entry  # the clinic's time
    assert "Morning stretches" in old_entry and "(version 1)" in old_entry
    assert "3 before, 6 after" in old_entry
    assert "Too hard" in old_entry and "Twinge on the second one." in old_entry
    assert "Flagged" in old_entry and "skipped because of pain" in old_entry
    assert "1 of 2 exercises done" in old_entry
    assert f"<li>{second.exercise.name}: skipped (pain): “Sharp.”</li>" in old_entry
    assert first.exercise.name not in old_entry  # done as prescribed, nothing to say
    assert "Corrected" not in old_entry
    new_entry = sessions.split(f'id="session-{newer.pk}"')[1].split(NEXT_ENTRY)[0]
    assert "Corrected " in new_entry and "Went fine." in new_entry

    reports = page.split('id="pain-heading"')[1].split("</section>")[0]
    assert re.findall(r'id="(pain-\d+)"', reports) == [f"pain-{report.pk}"]
    pain_entry = reports.split(f'id="pain-{report.pk}"')[1]
    assert "pain 8/10" in pain_entry and "Lower back, left side" in pain_entry
    assert "Emergency red flag" in pain_entry and "Numbness or tingling" in pain_entry

    plans = page.split('id="plans-heading"')[1].split("</section>")[0]
    change = plans.split(f'id="revision-{revision.pk}"')[1].split("</li>")[0]
    assert "version 2, by Tess Owner" in change
    assert "Status changed from Active to Paused" in change
    assert reverse("prescriptions:plan-detail", args=[plan.pk]) in change
    # Each event in one section only.
    for anchor in (f"session-{older.pk}", f"session-{newer.pk}", f"pain-{report.pk}"):
        assert page.count(f'id="{anchor}"') == 1
    assert page.count("Twinge on the second one.") == 1
    assert page.count("Lower back, left side") == 1


def test_the_sessions_page_back_through_a_long_history(client, patient, therapist):
    plan = PlanFactory(patient=patient, prescribed_by=therapist, start_date=days_ago(patient, 60))
    now = timezone.now()
    sessions = [
        SessionLogFactory(plan=plan, performed_at=now - datetime.timedelta(hours=6 * n + 1))
        for n in range(SESSIONS_PAGE_SIZE + 10)
    ]
    # Two at the same moment across the page's edge: neither is lost.
    SessionLog.objects.filter(pk=sessions[SESSIONS_PAGE_SIZE].pk).update(
        performed_at=sessions[SESSIONS_PAGE_SIZE - 1].performed_at
    )
    client.force_login(therapist)

    first_page = client.get(detail_url(patient, days=30))
    shown = re.findall(r'id="session-(\d+)"', first_page.text)
    assert len(shown) == SESSIONS_PAGE_SIZE - 1
    earlier = re.search(r'href="(\?days=30&amp;before=[^"#]+)#sessions"', first_page.text)
    assert earlier and "Newest sessions" not in first_page.text
    second_page = client.get(detail_url(patient) + earlier.group(1).replace("&amp;", "&"))
    rest = re.findall(r'id="session-(\d+)"', second_page.text)
    assert "Newest sessions" in second_page.text and "Earlier sessions" not in second_page.text
    assert sorted(map(int, shown + rest)) == sorted(session.pk for session in sessions)


def test_the_pain_reports_page_back_on_their_own(client, patient, therapist):
    now = timezone.now()
    reports = [
        PainReportFactory(patient=patient, recorded_at=now - datetime.timedelta(hours=n + 1))
        for n in range(PAIN_REPORTS_PAGE_SIZE + 3)
    ]
    client.force_login(therapist)
    first_page = client.get(detail_url(patient))
    shown = re.findall(r'id="pain-(\d+)"', first_page.text)
    assert len(shown) == PAIN_REPORTS_PAGE_SIZE
    earlier = re.search(r'href="(\?days=90&amp;pain_before=[^"#]+)#pain"', first_page.text)
    second_page = client.get(detail_url(patient) + earlier.group(1).replace("&amp;", "&"))
    rest = re.findall(r'id="pain-(\d+)"', second_page.text)
    assert "Newest pain reports" in second_page.text
    assert sorted(map(int, shown + rest)) == sorted(report.pk for report in reports)


# The CSV export


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def test_the_export_has_a_row_per_session_exercise_and_then_the_pain_reports(
    client, patient, therapist
):
    patient.clinic.time_zone = "America/New_York"
    patient.clinic.save()
    plan = PlanFactory(
        patient=patient,
        prescribed_by=therapist,
        title="=cmd|' /C calc'!A0",
        start_date=days_ago(patient, 5),
    )
    first, second = PlanItemFactory.create_batch(2, plan=plan, exercise__name="@SUM(A1:A2)")
    session = log(
        plan,
        days_ago(patient, 2),
        hour=8,
        minute=5,
        pain_before=5,
        pain_after=7,
        difficulty="too_hard",
        note="-2 worse than yesterday",
        entries=[
            EntryInput.as_prescribed(first),
            EntryInput(second, EntryStatus.SKIPPED, 0, 0, 0, skip_reason=SkipReason.PAIN),
        ],
    )
    report = pain_report_record(
        patient=patient,
        score=6,
        recorded_by=patient.user,
        recorded_at=at_local(patient, days_ago(patient, 1), 20),
        body_location="+Lower back",
        note="Aching",
        red_flag_codes=["fever"],
    )
    client.force_login(therapist)

    response = client.get(export_url(patient))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="rehabit-patient-{patient.pk}-{patient.clinic.today()}.csv"'
    )
    assert "no-store" in response["Cache-Control"]
    rows = read_csv(response)
    assert rows[0] == SESSION_COLUMNS
    performed_at = timezone.localtime(session.performed_at, patient.clinic.zone).isoformat()
    assert performed_at.endswith(("-04:00", "-05:00"))  # New York, not UTC
    assert rows[1] == [
        str(session.pk),
        performed_at,
        "'=cmd|' /C calc'!A0",
        "1",
        "'@SUM(A1:A2)",
        "1",
        "3",
        "30",
        "10",
        "none",
        "1",
        "3",
        "30",
        "completed",
        "",
        "",
        "5",
        "7",
        "too_hard",
        "yes",
        session.flag_reason,
        "'-2 worse than yesterday",
    ]
    assert rows[2][SESSION_COLUMNS.index("status")] == "skipped"
    assert rows[2][SESSION_COLUMNS.index("skip reason")] == "pain"
    assert rows[2][SESSION_COLUMNS.index("sets done")] == "0"
    assert rows[3] == []
    assert rows[4] == PAIN_REPORT_COLUMNS
    assert rows[5] == [
        str(report.pk),
        timezone.localtime(report.recorded_at, patient.clinic.zone).isoformat(),
        "6",
        "'+Lower back",
        "urgent",
        "fever",
        "Aching",
    ]
    assert len(rows) == 6


def test_the_export_leaves_other_patients_out(client, patient, therapist):
    plan = PlanFactory(patient=patient, prescribed_by=therapist)
    SessionLogEntryFactory(session__plan=plan)
    other = PlanFactory(prescribed_by=therapist)
    SessionLogEntryFactory(session__plan=other, session__note="Someone else's note")
    PainReportFactory(patient=other.patient, body_location="Someone else's knee")
    client.force_login(therapist)
    rows = read_csv(client.get(export_url(patient)))
    assert len(rows) == 1 + 1 + 1 + 1  # header, one entry, blank, pain header
    assert "Someone else" not in str(rows)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@A1", "'@A1"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Fine = good", "Fine = good"),
        ("", ""),
        (-1, -1),
        (None, None),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_get_an_apostrophe(value, written):
    assert csv_safe(value) == written


# Who may see it


@pytest.mark.parametrize("url", [detail_url, export_url])
def test_a_colleague_sees_the_review_and_the_export(client, patient, colleague, url):
    client.force_login(colleague)
    assert client.get(url(patient)).status_code == 200


@pytest.mark.parametrize("url", [detail_url, export_url])
def test_another_clinic_gets_404(client, patient, stranger, url):
    client.force_login(stranger)
    assert client.get(url(patient)).status_code == 404


@pytest.mark.parametrize("url", [detail_url, export_url])
def test_patients_are_refused(client, patient, url):
    client.force_login(patient.user)
    assert client.get(url(patient)).status_code == 403


def test_the_export_needs_a_sign_in(client, patient):
    response = client.get(export_url(patient))
    assert response.status_code == 302
    assert response.url.startswith(reverse("clinics:login"))


def test_the_page_links_to_the_export(client, patient, therapist):
    client.force_login(therapist)
    assert f'href="{export_url(patient)}"' in client.get(detail_url(patient)).text


# Queries


def add_history(patient, therapist, *, sessions: int, start_days_ago: int):
    plan = PlanFactory(
        patient=patient,
        prescribed_by=therapist,
        start_date=days_ago(patient, start_days_ago),
        times_per_day=2,
    )
    items = PlanItemFactory.create_batch(2, plan=plan)
    now = timezone.now()
    for number in range(sessions):
        session = SessionLogFactory(
            plan=plan, performed_at=now - datetime.timedelta(hours=12 * number + 1)
        )
        for item in items:
            SessionLogEntryFactory(session=session, plan_item=item)
        if number % 10 == 0:
            PainReportFactory(patient=patient, recorded_at=session.performed_at)
    plan_status_change(plan=plan, status=PlanStatus.PAUSED, changed_by=therapist)
    plan_status_change(plan=plan, status=PlanStatus.ACTIVE, changed_by=therapist)


@pytest.mark.parametrize("days", [90, 365])
def test_the_page_runs_the_same_queries_for_5_sessions_or_200(
    client, patient, therapist, days, django_assert_max_num_queries
):
    add_history(patient, therapist, sessions=5, start_days_ago=3)
    client.force_login(therapist)
    client.get(detail_url(patient, days=days))  # the first request of a sign-in also saves it
    # Measured. session, user, clinic, patient (access); patient page: patient, plans, the
    # current plans' exercises, the last session, templates, the plans, pauses and sessions
    # per plan and day over the window and the last 30 days (read once for the summary, the
    # alerts and the calendar), alerts (5: facts, pain trend, acknowledgements); review:
    # revisions, pain edges, first-week pain, chart sessions, chart reports, the page of
    # sessions and their exercises off the dose, the page of pain reports, exercises, plan
    # exercises; the staff member's unread messages; the monitoring section's enrolment; the
    # outcomes section's scores, settings, activities and pain course (4 with no scores).
    with django_assert_max_num_queries(33) as few:  # 32, and the audit row
        response = client.get(detail_url(patient, days=days))
    assert response.status_code == 200

    add_history(patient, therapist, sessions=195, start_days_ago=100)
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(detail_url(patient, days=days))
    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(response.context["review"].sessions.entries) == SESSIONS_PAGE_SIZE


def test_the_export_runs_the_same_queries_for_5_sessions_or_200(
    client, patient, therapist, django_assert_max_num_queries
):
    add_history(patient, therapist, sessions=5, start_days_ago=3)
    client.force_login(therapist)
    client.get(export_url(patient))
    with django_assert_max_num_queries(8) as few:
        client.get(export_url(patient))
    add_history(patient, therapist, sessions=195, start_days_ago=100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(export_url(patient))
    assert len(read_csv(response)) == 1 + 200 * 2 + 1 + 1 + 21


def test_the_chart_marks_events_and_keeps_its_default_drawing():
    kinds = {"a": charts.SeriesStyle("A", "#000")}
    points = [(datetime.date(2026, 3, 2), 4, "a"), (datetime.date(2026, 3, 5), 6, "a")]
    window = {"start": datetime.date(2026, 3, 1), "end": datetime.date(2026, 3, 7)}
    plain = charts.time_chart(
        points, kinds=kinds, title="T", value_label="Pain", zone=datetime.UTC, **window
    )
    marked = charts.time_chart(
        points,
        kinds=kinds,
        title="T",
        value_label="Pain",
        zone=datetime.UTC,
        summary="Pain rose.",
        events=[
            charts.ChartEvent(datetime.date(2026, 3, 3), "v2", "version 2 on 3 Mar"),
            charts.ChartEvent(datetime.date(2026, 2, 1), "v1", "before the window"),
        ],
        event_label="Plan change",
        **window,
    )
    plain_svg = render_to_string("includes/time_chart.html", {"chart": plain})
    marked_svg = render_to_string("includes/time_chart.html", {"chart": marked})
    assert 'viewBox="0 0 360 ' in plain_svg and "<line" in plain_svg
    assert "v2" not in plain_svg and "Plan change" not in plain_svg
    assert marked.description == "Pain rose. " + plain.description + (
        " Plan change: version 2 on 3 Mar."
    )
    assert ">v2</text>" in marked_svg and ">Plan change</text>" in marked_svg
    assert "v1" not in marked_svg
