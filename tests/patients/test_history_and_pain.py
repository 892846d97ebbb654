"""The patient's own pages: reporting pain (with the red-flag check), their history with the pain
chart, and correcting a session log within 24 hours."""

import datetime
import re
import uuid
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from lib import charts
from patients import services
from patients.models import EntryStatus, PainReport, SessionLog, SessionLogRevision, SkipReason
from patients.pain import PAIN
from patients.red_flags import Severity
from patients.services import (
    EntryCorrection,
    EntryInput,
    pain_report_record,
    session_log_correct,
    session_log_record,
)
from tests.patients.factories import PatientWithAccountFactory
from tests.prescriptions.factories import PlanFactory, PlanItemFactory

PAIN_REPORT_URL = reverse("patients:pain-report")
HISTORY_URL = reverse("patients:history")


def correct_url(session):
    return reverse("patients:session-correct", args=[session.pk])


def make_plan(patient, therapist, *, title="Back spasm relief", items=2):
    plan = PlanFactory(
        patient=patient,
        prescribed_by=therapist,
        title=title,
        start_date=patient.clinic.today() - datetime.timedelta(days=90),
    )
    for _ in range(items):
        PlanItemFactory(plan=plan, hold_seconds=30, repetitions=3)
    return plan


def log_session(plan, *, ago=datetime.timedelta(hours=1), **values):
    values.setdefault("pain_before", 4)
    values.setdefault("pain_after", 3)
    return session_log_record(
        patient=plan.patient,
        plan=plan,
        performed_at=timezone.now() - ago,
        entries=values.pop(
            "entries", [EntryInput.as_prescribed(item) for item in plan.items.all()]
        ),
        client_token=uuid.uuid4(),
        recorded_by=plan.patient.user,
        **values,
    )


@pytest.fixture
def plan(patient, therapist):
    return make_plan(patient, therapist)


@pytest.fixture
def other_patient(therapist):
    """Another patient of the same therapist and clinic."""
    return PatientWithAccountFactory(
        primary_therapist=therapist, first_name="Olga", last_name="Other"
    )


# Reporting pain


def test_the_pain_form_shows_the_scale_with_its_anchors_and_the_red_flag_check(client, patient):
    client.force_login(patient.user)
    page = client.get(PAIN_REPORT_URL).text
    assert "0 – No pain" in page
    assert "10 – Worst pain imaginable" in page
    assert page.count('name="score"') == 11
    assert page.count('name="red_flags"') == 8
    assert "Pain going down both legs" in page
    assert "None of these? Leave them all unticked" in page


def test_a_pain_report_is_saved_and_confirmed_calmly(client, patient):
    client.force_login(patient.user)
    response = client.post(
        PAIN_REPORT_URL, {"score": "3", "body_location": " Lower back ", "note": "Stiff"}
    )
    report = PainReport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("patients:pain-report-result", args=[report.pk])
    assert (report.patient, report.score, report.body_location) == (patient, 3, "Lower back")
    assert report.red_flags == [] and report.red_flag_severity == Severity.NONE
    assert report.recorded_by == patient.user
    page = client.get(response.url).text
    assert "Thank you, your pain report is saved" in page
    assert "3 out of 10" in page
    assert "emergency department" not in page and "Contact a doctor today" not in page


@pytest.mark.parametrize(
    ("codes", "severity", "advice", "not_advice"),
    [
        (
            ["saddle_numbness"],
            Severity.EMERGENCY,
            "Go to the emergency department now",
            "Contact a doctor today",
        ),
        (
            ["both_legs_pain", "night_pain"],
            Severity.EMERGENCY,
            "Go to the emergency department now",
            "Contact a doctor today",
        ),
        (
            ["night_pain"],
            Severity.URGENT,
            "Contact a doctor today",
            "Go to the emergency department now",
        ),
        (
            ["fever", "injury"],
            Severity.URGENT,
            "Contact a doctor today",
            "Go to the emergency department now",
        ),
    ],
)
def test_a_red_flag_gives_its_advice_at_once_and_flags_the_report(
    client, patient, codes, severity, advice, not_advice
):
    client.force_login(patient.user)
    response = client.post(PAIN_REPORT_URL, {"score": "5", "red_flags": codes}, follow=True)
    report = PainReport.objects.get()
    assert report.red_flag_severity == severity
    assert report.red_flags == codes
    page = response.text
    assert f"<h1>{advice}</h1>" in page
    assert not_advice not in page
    assert "We have told your therapist." in page
    for question in report.red_flag_questions:
        assert str(question) in page
    if severity == Severity.EMERGENCY:
        assert "call your local emergency number" in page


@pytest.mark.parametrize(
    ("score", "message"),
    [
        ("11", str(PAIN.message)),
        ("-1", str(PAIN.message)),
        ("seven", str(PAIN.message)),
        (None, "Choose a number for your pain: 0 is no pain, 10 is the worst pain imaginable."),
    ],
)
def test_a_pain_score_outside_the_scale_is_refused_and_what_was_typed_is_kept(
    client, patient, score, message
):
    client.force_login(patient.user)
    data = {"body_location": "Left hip", "note": "Worse after the bus", "red_flags": ["fever"]}
    if score is not None:
        data["score"] = score
    response = client.post(PAIN_REPORT_URL, data)
    assert response.status_code == 200
    page = response.text
    assert message in page
    assert "Your pain report was not saved yet." in page
    if score is not None:
        assert f"You entered “{score}”." in page
    assert 'value="Left hip"' in page
    assert "Worse after the bus</textarea>" in page
    assert re.search(r'<input type="checkbox"[^>]*value="fever"[^>]*checked', page)
    assert not PainReport.objects.exists()


def test_an_unknown_red_flag_is_refused(client, patient):
    client.force_login(patient.user)
    response = client.post(PAIN_REPORT_URL, {"score": "4", "red_flags": ["made_up"]})
    assert response.status_code == 200
    assert "Tick only the warning signs listed here." in response.text
    assert not PainReport.objects.exists()
    with pytest.raises(ValidationError):
        pain_report_record(
            patient=patient, score=4, recorded_by=patient.user, red_flag_codes=["made_up"]
        )
    assert not PainReport.objects.exists()


def test_another_patients_pain_report_answers_404(client, patient, other_patient):
    theirs = pain_report_record(patient=other_patient, score=6, recorded_by=other_patient.user)
    client.force_login(patient.user)
    response = client.get(reverse("patients:pain-report-result", args=[theirs.pk]))
    assert response.status_code == 404


# History


def test_history_lists_only_the_patients_own_sessions_and_reports(
    client, patient, therapist, other_patient, stranger
):
    plan = make_plan(patient, therapist, title="My own plan")
    log_session(plan, note="Mine: felt looser", pain_before=5, pain_after=3)
    pain_report_record(
        patient=patient, score=4, recorded_by=patient.user, body_location="Lower back"
    )
    log_session(make_plan(other_patient, therapist, title="Olga's plan"), note="Not yours")
    pain_report_record(
        patient=other_patient, score=9, recorded_by=other_patient.user, body_location="Olga's"
    )
    far = PatientWithAccountFactory(primary_therapist=stranger)
    log_session(make_plan(far, stranger, title="Other clinic plan"), note="Far away")

    client.force_login(patient.user)
    page = client.get(HISTORY_URL).text
    assert "My own plan" in page and "Mine: felt looser" in page
    assert "5 before, 3 after" in page
    assert "2 done, 0 partly done, 0 skipped" in page
    assert "Pain report: 4 out of 10" in page and "Lower back" in page
    assert "Olga" not in page and "Not yours" not in page
    assert "Other clinic plan" not in page and "Far away" not in page


def test_history_groups_by_day_newest_first_with_flags_and_corrections(client, patient, plan):
    three_days_ago = timezone.now() - datetime.timedelta(days=3)
    with mock.patch("django.utils.timezone.now", return_value=three_days_ago):
        older = log_session(plan, note="Three days ago")
    entries = [EntryInput.as_prescribed(item) for item in plan.items.all()]
    entries[1] = EntryInput(
        plan_item=entries[1].plan_item,
        status=EntryStatus.SKIPPED,
        sets_done=0,
        repetitions_done=0,
        hold_seconds_done=0,
        skip_reason=SkipReason.PAIN,
    )
    recent = log_session(plan, entries=entries, note="Today's", pain_before=3, pain_after=3)
    session_log_correct(session=recent, corrected_by=patient.user, reason="Typo", note="Fixed")

    client.force_login(patient.user)
    page = client.get(HISTORY_URL).text
    assert page.index(f'id="session-{recent.pk}"') < page.index(f'id="session-{older.pk}"')
    assert "1 done, 0 partly done, 1 skipped" in page
    assert "Flagged for your therapist" in page and "skipped because of pain" in page
    assert page.count("Corrected ") == 1
    # The log from three days ago is past its 24 hours; today's can still be corrected.
    assert correct_url(recent) in page and correct_url(older) not in page


def test_history_pages_back_by_eight_weeks(client, patient, plan):
    log_session(plan, ago=datetime.timedelta(days=2), note="Recent one")
    log_session(plan, ago=datetime.timedelta(days=70), note="Ten weeks ago")
    client.force_login(patient.user)
    response = client.get(HISTORY_URL)
    page = response.text
    history = response.context["history"]
    assert "Recent one" in page and "Ten weeks ago" not in page
    assert history.start.weekday() == 0 and (history.end - history.start).days < 8 * 7
    earlier = f"{HISTORY_URL}?before={history.start:%Y-%m-%d}"
    assert earlier in page
    page = client.get(earlier).text
    assert "Ten weeks ago" in page and "Recent one" not in page
    assert f'href="{HISTORY_URL}">Later weeks' in page
    for nonsense in ("yesterday", "0001-01-01", "9999-12-31"):
        page = client.get(HISTORY_URL, {"before": nonsense}).text
        assert "Recent one" in page and "Ten weeks ago" not in page


def test_history_query_count_does_not_grow_with_sessions(
    client, patient, plan, django_assert_max_num_queries
):
    def add(count):
        for day in range(count):
            log_session(plan, ago=datetime.timedelta(days=day % 29, hours=1 + day // 29))
            pain_report_record(
                patient=patient,
                score=day % 11,
                recorded_by=patient.user,
                recorded_at=timezone.now() - datetime.timedelta(days=day % 29, hours=3),
            )

    add(3)
    client.force_login(patient.user)
    # measured: 14 for 3 sessions or 30, one of them the audit row and one the navigation's
    # count of unread messages
    with django_assert_max_num_queries(14) as few:
        client.get(HISTORY_URL)
    add(27)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(HISTORY_URL)
    assert response.text.count('class="card mb-2" id="session-') == 30


def test_the_pain_chart_has_an_accessible_name_and_a_table_alternative(client, patient, plan):
    log_session(plan, pain_before=6, pain_after=4)
    pain_report_record(patient=patient, score=5, recorded_by=patient.user)
    client.force_login(patient.user)
    page = client.get(HISTORY_URL).text
    svg = re.search(r'<svg[^>]*aria-labelledby="pain-chart-title[^>]*>', page).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="pain-chart-title pain-chart-desc"' in svg
    assert re.search(r'<title id="pain-chart-title">Your pain, [^<]+</title>', page)
    desc = re.search(r'<desc id="pain-chart-desc">([^<]+)</desc>', page).group(1)
    assert "0 (No pain)" in desc and "10 (Worst pain imaginable)" in desc
    assert "Before session: one score, 6." in desc
    assert "Pain report: one score, 5." in desc
    assert "Worst pain imaginable</text>" in page and "No pain</text>" in page
    assert not re.search(r"\sstyle=", page.split(svg, 1)[1].split("</svg>", 1)[0])
    table = page.split("<table", 1)[1].split("</table>", 1)[0]
    assert "<caption>Pain from 0 (no pain) to 10 (worst pain imaginable)" in table
    assert table.count("<tr>") == 4  # the header and three scores
    assert "Before session" in table and "After session" in table and "Pain report" in table


def test_history_without_scores_has_no_chart(client, patient):
    client.force_login(patient.user)
    page = client.get(HISTORY_URL).text
    assert 'id="pain-chart-title"' not in page
    assert "No pain scores in these weeks." in page
    assert "Nothing logged in these weeks." in page


def test_the_chart_escapes_its_text():
    chart = charts.time_chart(
        [(datetime.date(2026, 3, 2), 4, "a")],
        kinds={"a": charts.SeriesStyle("<b>A</b>", "#000")},
        start=datetime.date(2026, 3, 1),
        end=datetime.date(2026, 3, 7),
        title="Pain & <script>",
        value_label="Pain",
        zone=datetime.UTC,
    )
    svg = render_to_string("includes/time_chart.html", {"chart": chart})
    assert "<script>" not in svg and "<b>" not in svg
    assert "Pain &amp; &lt;script&gt;" in svg
    assert [(row.value, row.label) for row in chart.rows] == [(4, "<b>A</b>")]


# Correcting a log


def correction_data(session, **overrides):
    data = {
        "pain_before": session.pain_before,
        "pain_after": session.pain_after,
        "difficulty": session.difficulty,
        "note": session.note,
        "reason": "",
    }
    for entry in session.entries.all():
        prefix = f"entry-{entry.pk}-"
        data[prefix + "status"] = entry.status
        data[prefix + "sets_done"] = entry.sets_done
        data[prefix + "repetitions_done"] = entry.repetitions_done
        data[prefix + "hold_seconds_done"] = entry.hold_seconds_done
        data[prefix + "skip_reason"] = entry.skip_reason
    data.update(overrides)
    return {key: "" if value is None else value for key, value in data.items()}


def test_a_correction_within_24_hours_keeps_a_revision_and_updates_the_log(client, patient, plan):
    session = log_session(plan, pain_before=4, pain_after=3, note="First try")
    first, second = session.entries.order_by("position")
    client.force_login(patient.user)
    assert "Correct your session" in client.get(correct_url(session)).text

    response = client.post(
        correct_url(session),
        correction_data(
            session,
            pain_after=2,
            difficulty="about_right",
            note="Felt easier than I wrote",
            reason="Pressed the wrong number",
            **{
                f"entry-{second.pk}-status": EntryStatus.PARTIAL,
                f"entry-{second.pk}-repetitions_done": 2,
                f"entry-{second.pk}-skip_reason": SkipReason.NO_TIME,
            },
        ),
    )

    assert response.status_code == 302
    assert response.url == f"{HISTORY_URL}#session-{session.pk}"
    revision = SessionLogRevision.objects.get(session=session)
    assert revision.revised_by == patient.user
    assert revision.reason == "Pressed the wrong number"
    assert revision.previous["pain_after"] == 3
    assert revision.previous["note"] == "First try"
    assert revision.previous["is_flagged"] is False
    previous_second = next(e for e in revision.previous["entries"] if e["id"] == second.pk)
    assert previous_second["status"] == EntryStatus.COMPLETED
    assert previous_second["repetitions_done"] == 3
    session.refresh_from_db()
    second.refresh_from_db()
    first.refresh_from_db()
    assert (session.pain_before, session.pain_after) == (4, 2)
    assert session.difficulty == "about_right" and session.note == "Felt easier than I wrote"
    assert (second.status, second.repetitions_done, second.skip_reason) == ("partial", 2, "no_time")
    assert first.status == EntryStatus.COMPLETED
    assert not session.is_flagged
    page = client.get(HISTORY_URL).text
    assert "Corrected " in page and "2 after" in page


def test_a_correction_that_raises_pain_to_7_flags_the_session(client, patient, plan):
    session = log_session(plan, pain_before=5, pain_after=5)
    assert not session.is_flagged
    client.force_login(patient.user)
    response = client.post(
        correct_url(session), correction_data(session, pain_after=7), follow=True
    )
    session.refresh_from_db()
    assert session.is_flagged
    assert "pain reached 7/10" in session.flag_reason
    assert SessionLogRevision.objects.get(session=session).previous["pain_after"] == 5
    assert "Your therapist will see that this session hurt." in response.text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pain_after", "11", str(PAIN.message)),
        ("pain_before", "-1", str(PAIN.message)),
        ("sets_done", "99", "Sets done must be a whole number from 0 to 10."),
        ("status", "skipped", "Say why you skipped it"),
    ],
)
def test_a_correction_outside_the_limits_is_refused_and_nothing_changes(
    client, patient, plan, field, value, message
):
    session = log_session(plan, pain_before=4, pain_after=3)
    entry = session.entries.first()
    key = field if field.startswith("pain") else f"entry-{entry.pk}-{field}"
    client.force_login(patient.user)
    response = client.post(
        correct_url(session), correction_data(session, note="Changed note", **{key: value})
    )
    assert response.status_code == 200
    assert message in response.text
    assert "Your correction was not saved yet." in response.text
    assert "Changed note</textarea>" in response.text
    session.refresh_from_db()
    assert session.note == "" and (session.pain_before, session.pain_after) == (4, 3)
    assert not SessionLogRevision.objects.exists()


def test_a_correction_after_24_hours_is_refused(client, patient, plan):
    session = log_session(plan, pain_before=4, pain_after=3)
    later = session.created_at + datetime.timedelta(hours=24, minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        client.force_login(patient.user)
        page = client.get(correct_url(session))
        assert page.status_code == 200
        assert "This session can no longer be changed." in page.text
        assert '<form method="post" novalidate' not in page.text
        response = client.post(correct_url(session), correction_data(session, pain_after=1))
        assert response.status_code == 403
        assert "This session can no longer be changed." in response.text
        with pytest.raises(ValidationError, match="more than 24 hours ago"):
            session_log_correct(session=session, corrected_by=patient.user, pain_after=1)
        assert correct_url(session) not in client.get(HISTORY_URL).text
    session.refresh_from_db()
    assert session.pain_after == 3
    assert not SessionLogRevision.objects.exists()


def test_a_correction_just_inside_24_hours_is_allowed(patient, plan):
    session = log_session(plan)
    almost = session.created_at + datetime.timedelta(hours=23, minutes=59)
    with mock.patch("django.utils.timezone.now", return_value=almost):
        session_log_correct(session=session, corrected_by=patient.user, pain_after=2)
    session.refresh_from_db()
    assert session.pain_after == 2


def test_another_patients_session_cannot_be_opened_or_corrected(
    client, patient, therapist, other_patient
):
    theirs = log_session(make_plan(other_patient, therapist), pain_after=3)
    client.force_login(patient.user)
    assert client.get(correct_url(theirs)).status_code == 404
    response = client.post(correct_url(theirs), correction_data(theirs, pain_after=9))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.pain_after == 3
    assert not SessionLogRevision.objects.exists()


def test_only_the_patient_can_correct_through_the_service(patient, therapist, plan):
    session = log_session(plan)
    with pytest.raises(ValidationError, match="Only the patient"):
        session_log_correct(session=session, corrected_by=therapist, pain_after=9)
    with pytest.raises(ValidationError, match="Nothing was changed"):
        session_log_correct(session=session, corrected_by=patient.user, pain_after=3)
    other_session = log_session(plan)
    foreign_entry = other_session.entries.first()
    with pytest.raises(ValidationError, match="Only the exercises of this session"):
        session_log_correct(
            session=session,
            corrected_by=patient.user,
            entries=[
                EntryCorrection(
                    entry_id=foreign_entry.pk,
                    status=EntryStatus.SKIPPED,
                    sets_done=0,
                    repetitions_done=0,
                    hold_seconds_done=0,
                    skip_reason=SkipReason.OTHER,
                )
            ],
        )
    with pytest.raises(ValidationError):
        session_log_correct(session=session, corrected_by=patient.user, pain_after=11)
    with pytest.raises(TypeError):
        session_log_correct(session=session, corrected_by=patient.user, performed_at=None)
    assert not SessionLogRevision.objects.exists()
    assert SessionLog.objects.get(pk=session.pk).pain_after == 3


# Who may see these pages


@pytest.mark.parametrize("persona", ["therapist", "clinic_admin"])
def test_staff_are_refused_the_patients_own_pages(client, request, patient, plan, persona):
    session = log_session(plan)
    report = pain_report_record(patient=patient, score=3, recorded_by=patient.user)
    client.force_login(request.getfixturevalue(persona))
    for url in (
        PAIN_REPORT_URL,
        HISTORY_URL,
        correct_url(session),
        reverse("patients:pain-report-result", args=[report.pk]),
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(PAIN_REPORT_URL, {"score": "3"}).status_code == 403
    assert PainReport.objects.count() == 1


def test_the_patient_navigation_links_to_history_and_pain(client, patient):
    client.force_login(patient.user)
    page = client.get(HISTORY_URL).text
    nav = page.split('id="main-nav"', 1)[1].split("</ul>", 1)[0]
    assert f'href="{HISTORY_URL}" aria-current="page">Progress' in nav
    assert f'href="{PAIN_REPORT_URL}">Report pain' in nav


def test_a_correction_never_clears_a_flag_the_therapist_was_shown(patient, plan):
    from patients.services import session_log_correct

    session = log_session(plan, pain_before=3, pain_after=8)
    assert session.is_flagged and "pain reached 8/10" in session.flag_reason
    corrected = session_log_correct(
        session=session, corrected_by=patient.user, reason="typo", pain_after=3
    )
    assert corrected.pain_after == 3
    assert corrected.is_flagged and "pain reached 8/10" in corrected.flag_reason
    previous = SessionLogRevision.objects.get(session=session).previous
    assert previous["pain_after"] == 8 and previous["is_flagged"] is True


def test_submitting_a_pain_report_twice_records_one(client, patient):
    client.force_login(patient.user)
    page = client.get(PAIN_REPORT_URL).text
    token = page.split('name="client_token" value="')[1].split('"')[0]
    data = {"score": "6", "client_token": token, "body_location": "Lower back"}
    first = client.post(PAIN_REPORT_URL, data)
    second = client.post(PAIN_REPORT_URL, data)
    assert first.url == second.url
    assert PainReport.objects.filter(patient=patient).count() == 1


def test_a_report_racing_another_with_its_token_fails_on_insert_not_in_validation(patient):
    """As for sessions: the duplicate token is refused by the unique index, which
    pain_report_record answers with the first report, not by validation."""
    token = uuid.uuid4()
    pain_report_record(patient=patient, score=4, recorded_by=patient.user, client_token=token)
    with pytest.raises(IntegrityError), transaction.atomic():
        services._pain_report_create(
            patient=patient,
            score=4,
            recorded_by=patient.user,
            recorded_at=None,
            body_location="",
            note="",
            red_flag_codes=(),
            client_token=token,
        )
    assert PainReport.objects.filter(client_token=token).count() == 1


# The patient's progress: their streak, their weeks and how their pain has gone


@pytest.mark.parametrize(
    ("first_week", "latest", "sentence"),
    [
        (6, 3, "Your pain has eased from 6 to 3 since you started."),
        (3, 6, "Your pain is higher than when you started: 3 then, 6 now."),
        (5, 4, "Your pain is a little lower than when you started: 5 then, 4 now."),
        (4, 4, "Your pain is the same as when you started: 4."),
    ],
)
def test_the_pain_sentence_follows_the_clinically_important_change(
    client, patient, plan, first_week, latest, sentence
):
    log_session(plan, ago=datetime.timedelta(days=20), pain_before=first_week, pain_after=None)
    log_session(plan, ago=datetime.timedelta(hours=2), pain_before=latest, pain_after=None)
    client.force_login(patient.user)
    assert sentence in client.get(HISTORY_URL).text


def test_a_first_week_of_scores_is_not_yet_a_change(client, patient, plan):
    log_session(plan, ago=datetime.timedelta(days=2), pain_before=6, pain_after=None)
    log_session(plan, ago=datetime.timedelta(hours=2), pain_before=3, pain_after=None)
    client.force_login(patient.user)
    page = client.get(HISTORY_URL).text
    assert "You started at 4.5. Keep giving your pain score to see how it changes." in page
    assert "eased" not in page


def test_the_streak_and_the_weeks_count_sessions_against_the_plan(client, patient, plan):
    for days in (0, 1, 2, 4):
        log_session(plan, ago=datetime.timedelta(days=days, minutes=5))
    client.force_login(patient.user)
    response = client.get(HISTORY_URL)
    page = response.text
    assert "3 days in a row on plan" in page
    this_week = response.context["history"].weeks[0]
    assert this_week.adherence.done == len(
        [
            day
            for day in (0, 1, 2, 4)
            if timezone.localdate() - datetime.timedelta(days=day) >= this_week.monday
        ]
    )
    assert '<title id="week-chart-title">Sessions done each week</title>' in page
    assert "Who has viewed your record" not in page


def test_the_account_page_holds_the_record_views_and_the_password(client, patient, therapist):
    for _ in range(7):
        client.force_login(therapist)
        client.get(reverse("insights:patient-detail", args=[patient.pk]))
    client.force_login(patient.user)
    page = client.get(reverse("patients:account")).text
    assert patient.user.email in page
    assert page.count(f"{therapist.full_name}</span>") == 5
    assert f'href="{reverse("patients:record-views")}"' in page
    assert f'href="{reverse("clinics:password-change")}"' in page
    nav = client.get(reverse("patients:today")).text.split('id="main-nav"', 1)[1]
    assert f'href="{reverse("patients:account")}">Your account' in nav


def test_reminders_start_from_the_plan_and_the_patient_changes_them(client, patient, therapist):
    make_plan(patient, therapist).__class__.objects.filter(patient=patient).update(times_per_day=2)
    client.force_login(patient.user)
    account = reverse("patients:account")
    page = client.get(account).text
    assert 'name="time_1" value="09:00"' in page and 'name="time_2" value="18:00"' in page
    response = client.post(account, {"is_on": "on", "time_1": "07:30", "time_2": "19:15"})
    assert response.status_code == 302
    settings_row = patient.reminder_settings
    assert (settings_row.is_on, settings_row.times) == (True, ["07:30", "19:15"])
    response = client.post(account, {"time_1": "07:30"})
    patient.reminder_settings.refresh_from_db()
    assert patient.reminder_settings.is_on is False


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"is_on": "on", "time_1": "25:00"}, "Enter a time of day from 00:00 to 23:59"),
        ({"is_on": "on", "time_1": "09:00", "time_2": "09:00"}, "a different time for each"),
        ({"is_on": "on"}, "Choose at least one time, or turn reminders off."),
    ],
)
def test_bad_reminder_times_are_refused_and_kept(client, patient, therapist, data, message):
    make_plan(patient, therapist).__class__.objects.filter(patient=patient).update(times_per_day=2)
    client.force_login(patient.user)
    response = client.post(reverse("patients:account"), data)
    assert response.status_code == 200
    assert message in response.text
    if "time_1" in data:
        assert f'value="{data["time_1"]}"' in response.text
    assert not hasattr(patient, "reminder_settings") or not patient.reminder_settings.times
