"""Random input, posted through the real pages, to the forms about a patient: their record
(added and edited by staff), the pain they report with its red flags, the session they log
(pain before and after, each exercise done) and a correction of it. Whatever is posted, the page
answers without a server error; a refused submission writes nothing; an accepted one saves
only rows that pass the models' validation, with pain and dose inside their limits."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from exercises import dose
from patients.forms.staff import EARLIEST_BIRTH_DATE
from patients.models import (
    Difficulty,
    EntryStatus,
    PainReport,
    Patient,
    SessionLog,
    SessionLogEntry,
    SessionLogRevision,
    SkipReason,
)
from patients.pain import PAIN
from patients.red_flags import RED_FLAGS_BY_CODE, severity_of
from patients.services import EntryInput, session_log_record
from prescriptions.services import ItemInput, plan_create
from tests.exercises.factories import ExerciseFactory
from tests.properties import (
    MANAGEMENT_WILD,
    PROPERTIES,
    accepted,
    assert_handled,
    assert_outcome,
    assert_rows_valid,
    exact_or_faulty,
    id_text,
    management_form,
    number_text,
    prefixed,
    rolled_back,
    rows_of,
    text,
    valid_fields,
    with_faults,
)

SESSION_MODELS = [SessionLog, SessionLogEntry, SessionLogRevision]

plain_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)
name_text = st.text(st.characters(categories=["L"]), min_size=1, max_size=40)
pain_score = st.integers(PAIN.minimum, PAIN.maximum).map(str)
WILD_DATES = ["2024-02-30", "0001-01-01", "9999-12-31", "1899-12-31", "21/03/1975", "today"]
wild_date = st.one_of(st.sampled_from(WILD_DATES), st.dates().map(datetime.date.isoformat), text)
wild_choice = st.one_of(text, st.sampled_from(["COMPLETED", "done", "0", "none"]))


DAY = datetime.timedelta(days=1)


def signed_in(client, user):
    client.force_login(user)
    return client


def follow(client, response) -> None:
    assert client.get(response["Location"]).status_code == 200


# The patient's record ---------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["new", "edit"])
@PROPERTIES
@given(data=st.data())
def test_the_patient_form_never_fails_and_saves_only_valid_patients(
    data, which, client, therapist, colleague, stranger, patient
):
    signed_in(client, therapist)
    if which == "new":
        url = reverse("patients:patient-add")
    else:
        url = reverse("patients:patient-edit", args=[patient.pk])
    today = therapist.clinic.today()
    post = valid_fields(
        data.draw,
        {
            "first_name": name_text,
            "last_name": name_text,
            "email": st.sampled_from(["", "pat@example.com", "Someone.Else@Example.org"]),
            "date_of_birth": st.one_of(
                st.just(""), st.dates(EARLIEST_BIRTH_DATE, today).map(datetime.date.isoformat)
            ),
            "phone": st.sampled_from(["", "+44 20 7946 0000"]),
            "condition": plain_text,
            "primary_therapist": st.sampled_from(["", str(therapist.pk), str(colleague.pk)]),
        },
    )
    must_accept = None
    if data.draw(st.booleans()):
        # Any day from 1 January 1900 until today is a date of birth, and no other.
        edges = [EARLIEST_BIRTH_DATE - DAY, EARLIEST_BIRTH_DATE, today, today + DAY]
        born = data.draw(st.one_of(st.sampled_from(edges), st.dates()))
        post["date_of_birth"] = born.isoformat()
        must_accept = EARLIEST_BIRTH_DATE <= born <= today
    else:
        wild = {
            # Another clinic's therapist and the patient's own sign-in are not choosable.
            "primary_therapist": id_text(stranger.pk, patient.user_id),
            "date_of_birth": wild_date,
            "email": st.one_of(text, st.sampled_from(["a@b", "a@b.c\x00", "@example.com"])),
        }
        post = with_faults(data.draw, post, wild)
    with rolled_back():
        before = rows_of([Patient])
        response = client.post(url, post)
        assert_handled(response)
        was_accepted = accepted(response, "/patients/")
        assert_outcome(was_accepted, must_accept)
        if was_accepted:
            assert_rows_valid([Patient])
            for record in Patient.objects.all():
                assert record.clinic_id == therapist.clinic_id
                assert record.primary_therapist_id in (None, therapist.pk, colleague.pk)
                assert record.date_of_birth is None or record.date_of_birth <= today
            follow(client, response)
        else:
            assert rows_of([Patient]) == before


# Pain and red flags -----------------------------------------------------------------------------


@PROPERTIES
@given(data=st.data())
def test_the_pain_report_never_fails_and_saves_only_valid_reports(data, client, patient):
    signed_in(client, patient.user)
    codes = sorted(RED_FLAGS_BY_CODE)
    post, must_accept = exact_or_faulty(
        data.draw,
        valid_fields(
            data.draw,
            {
                "client_token": st.one_of(st.just(""), st.uuids().map(str)),
                "score": pain_score,
                "body_location": plain_text,
                "note": plain_text,
                "red_flags": st.lists(st.sampled_from(codes), max_size=3, unique=True),
            },
        ),
        {
            "score": number_text(PAIN),
            "client_token": text,
            "red_flags": st.lists(st.one_of(st.sampled_from(codes), text), max_size=4),
        },
        {"score": PAIN},
    )
    with rolled_back():
        before = rows_of([PainReport])
        response = client.post(reverse("patients:pain-report"), post)
        assert_handled(response)
        was_accepted = accepted(response, "/patients/me/pain/")
        assert_outcome(was_accepted, must_accept)
        if was_accepted:
            assert_rows_valid([PainReport])
            report = PainReport.objects.get()
            assert report.patient_id == patient.pk
            assert set(report.red_flags) <= set(codes)
            assert report.red_flag_severity == severity_of(report.red_flags)
            follow(client, response)
        else:
            assert rows_of([PainReport]) == before


# A logged session -------------------------------------------------------------------------------


@pytest.fixture
def plan(therapist, patient):
    hold = ExerciseFactory(clinic=patient.clinic, name="Knee-to-chest stretch")
    moving = ExerciseFactory(clinic=patient.clinic, name="Bridge", default_hold_seconds=0)
    return plan_create(
        patient=patient,
        prescribed_by=therapist,
        title="Back spasm relief",
        start_date=patient.clinic.today() - datetime.timedelta(days=7),
        items=[
            ItemInput.from_exercise(hold),
            ItemInput.from_exercise(moving, sets=2, repetitions=10),
        ],
    )


DONE_LIMITS = (dose.SETS_DONE, dose.REPETITIONS_DONE, dose.HOLD_SECONDS_DONE)
DONE_FIELDS = ("sets_done", "repetitions_done", "hold_seconds_done")


def answer_agrees(status: str, done: tuple[int, ...], prescribed: tuple[int, ...]) -> bool:
    """Whether an answer says what happened, as the session service requires: done means at
    least the dose, partly done something but less than it; skipped keeps no numbers."""
    whole = all(value >= dose for value, dose in zip(done, prescribed, strict=True))
    if status == EntryStatus.COMPLETED:
        return whole
    if status == EntryStatus.PARTIAL:
        return not whole and any(done)
    return True


def entry_answer(draw, prescribed: tuple[int, ...]) -> dict:
    """A valid answer about one exercise: a status and numbers that agree with it."""
    status = draw(st.sampled_from(EntryStatus.values))
    numbers = st.tuples(
        *(st.integers(limit.minimum, limit.maximum) for limit in DONE_LIMITS)
    ).filter(lambda done: answer_agrees(status, done, prescribed))
    done = draw(numbers)
    return {
        "status": status,
        **{name: str(value) for name, value in zip(DONE_FIELDS, done, strict=True)},
        "skip_reason": draw(st.sampled_from([value for value in SkipReason.values if value])),
    }


def answers_agree(post: dict, rows: list[tuple[str, tuple[int, ...]]]) -> bool:
    """Whether every exercise's answer in `post` still agrees with its status (a number set
    near its limit may make a "done" less than the dose, say)."""
    for key, prescribed in rows:
        try:
            done = tuple(int(post.get(f"{key}-{name}") or 0) for name in DONE_FIELDS)
        except ValueError:
            return True  # not a number: refused by the form, whatever the status
        if not answer_agrees(post.get(f"{key}-status", ""), done, prescribed):
            return False
    return True


SESSION_LIMITS = {
    "pain_before": PAIN,
    "pain_after": PAIN,
    "sets_done": dose.SETS_DONE,
    "repetitions_done": dose.REPETITIONS_DONE,
    "hold_seconds_done": dose.HOLD_SECONDS_DONE,
}
ENTRY_WILD = {
    "status": wild_choice,
    "sets_done": number_text(dose.SETS_DONE),
    "repetitions_done": number_text(dose.REPETITIONS_DONE),
    "hold_seconds_done": number_text(dose.HOLD_SECONDS_DONE),
    "skip_reason": wild_choice,
    "pain_before": number_text(PAIN),
    "pain_after": number_text(PAIN),
    "difficulty": wild_choice,
}


def local_minutes_ago(clinic, minutes: int) -> str:
    now = timezone.localtime(timezone.now(), clinic.zone)
    return (now - datetime.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


@PROPERTIES
@given(data=st.data())
def test_the_session_log_never_fails_and_saves_only_valid_sessions(data, client, patient, plan):
    signed_in(client, patient.user)
    items = list(plan.items.all())
    post = valid_fields(
        data.draw,
        {
            "client_token": st.uuids().map(str),
            "plan_version": st.just(str(plan.version)),
            "pain_before": pain_score,
            "pain_after": pain_score,
            "difficulty": st.sampled_from(["", *Difficulty.values]),
            "note": plain_text,
            # Within the last day, which is always today or yesterday, the times allowed.
            "performed_at": st.integers(0, 24 * 60 - 1).map(
                lambda minutes: local_minutes_ago(patient.clinic, minutes)
            ),
        },
    )
    post |= management_form("entries", len(items))
    doses = [(item.sets, item.repetitions, item.hold_seconds) for item in items]
    for index, item in enumerate(items):
        row = entry_answer(data.draw, doses[index]) | {"plan_item": str(item.pk)}
        post |= prefixed("entries", index, row)
    other_plan_items = [item.pk + 100 for item in items]
    post, must_accept = exact_or_faulty(
        data.draw,
        post,
        {
            **ENTRY_WILD,
            **MANAGEMENT_WILD,
            "plan_item": id_text(*other_plan_items),
            "plan_version": id_text(plan.version + 1),
            "client_token": text,
            "performed_at": st.one_of(
                st.sampled_from(
                    [
                        local_minutes_ago(patient.clinic, -5),
                        local_minutes_ago(patient.clinic, 3 * 24 * 60),
                        "0001-01-01T00:00",
                        "9999-12-31T23:59",
                        "2026-02-30T10:00",
                        "2026-03-29T01:30",
                        "yesterday",
                    ]
                ),
                st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")),
                text,
            ),
        },
        SESSION_LIMITS,
    )
    if must_accept:
        must_accept = answers_agree(
            post, [(f"entries-{index}", dose) for index, dose in enumerate(doses)]
        )
    with rolled_back():
        before = rows_of(SESSION_MODELS)
        response = client.post(reverse("patients:session-log", args=[plan.pk]), post)
        assert_handled(response)
        was_accepted = accepted(response, "/patients/me/sessions/")
        assert_outcome(was_accepted, must_accept)
        if was_accepted:
            assert_rows_valid(SESSION_MODELS)
            session = SessionLog.objects.get()
            assert session.entries.count() == len(items)
            assert session.performed_at <= timezone.now()
            follow(client, response)
        else:
            assert rows_of(SESSION_MODELS) == before


@pytest.fixture
def logged_session(patient, plan):
    items = list(plan.items.all())
    return session_log_record(
        patient=patient,
        plan=plan,
        performed_at=timezone.now() - datetime.timedelta(hours=1),
        entries=[EntryInput.as_prescribed(item) for item in items],
        client_token=uuid.uuid4(),
        recorded_by=patient.user,
        pain_before=3,
        pain_after=3,
    )


@PROPERTIES
@given(data=st.data())
def test_correcting_a_session_never_fails_and_saves_only_valid_sessions(
    data, client, patient, logged_session
):
    signed_in(client, patient.user)
    post = valid_fields(
        data.draw,
        {
            "pain_before": st.one_of(st.just(""), pain_score),
            "pain_after": st.one_of(st.just(""), pain_score),
            "difficulty": st.sampled_from(["", *Difficulty.values]),
            "note": plain_text,
            "reason": plain_text,
        },
    )
    rows = []
    for entry in logged_session.entries.all():
        prescribed = (
            entry.prescribed_sets,
            entry.prescribed_repetitions,
            entry.prescribed_hold_seconds,
        )
        row = entry_answer(data.draw, prescribed)
        if not entry.prescribed_hold_seconds:
            del row["hold_seconds_done"]  # a moving exercise has no hold to correct
        post |= {f"entry-{entry.pk}-{name}": value for name, value in row.items()}
        rows.append((f"entry-{entry.pk}", prescribed))
    post, must_accept = exact_or_faulty(
        data.draw, post, {**ENTRY_WILD, "reason": text, "note": text}, SESSION_LIMITS
    )
    if must_accept:
        must_accept = answers_agree(post, rows)
    url = reverse("patients:session-correct", args=[logged_session.pk])
    with rolled_back():
        before = rows_of(SESSION_MODELS)
        response = client.post(url, post)
        assert_handled(response)
        was_accepted = accepted(response, "/patients/me/history/")
        assert_outcome(was_accepted, must_accept)
        if was_accepted:
            assert_rows_valid(SESSION_MODELS)
            assert SessionLog.objects.count() == 1
            assert SessionLogRevision.objects.count() == 1
            follow(client, response)
        else:
            assert rows_of(SESSION_MODELS) == before


# Found by the properties above -----------------------------------------------------------------


@pytest.mark.parametrize("row", ["left out", "another plan's", "twice"])
def test_a_session_whose_exercise_rows_are_not_the_plans_is_shown_afresh(
    row, client, patient, plan
):
    # A refused session used to fail to render when a row named no exercise of the plan.
    signed_in(client, patient.user)
    first, second = plan.items.order_by("position")
    post = {
        "client_token": str(uuid.uuid4()),
        "plan_version": str(plan.version),
        "pain_before": "11",
        "pain_after": "3",
        "performed_at": local_minutes_ago(patient.clinic, 5),
        **management_form("entries", 2),
    }
    for index, item in enumerate([first, second]):
        post |= prefixed(
            "entries",
            index,
            {"plan_item": str(item.pk), "status": "completed", "sets_done": "1"},
        )
        post |= prefixed("entries", index, {"repetitions_done": "3", "hold_seconds_done": "0"})
    if row == "left out":
        del post["entries-1-plan_item"]
    elif row == "another plan's":
        post["entries-1-plan_item"] = str(second.pk + 100)
    else:
        post["entries-1-plan_item"] = str(first.pk)
    response = client.post(reverse("patients:session-log", args=[plan.pk]), post)
    assert response.status_code == 200
    assert "Your therapist changed this plan while you were exercising." in response.text
    assert "Pain must be a whole number from 0 to 10." in response.text
    assert [entry is not None for _item, entry, _cautions in response.context["rows"]] == [
        True,
        True,
    ]
    assert not SessionLog.objects.exists()
