"""Shared pieces of the property-based tests (tests/test_properties_*.py): the hypothesis
settings, strategies for what anyone can post to a form, and the checks every submission must
pass: never a server error, nothing written when refused, only valid rows when accepted."""

import os
from contextlib import contextmanager

from django.db import models, transaction
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st

from exercises import dose
from lib.limits import Limit, LimitedIntegerField
from patients.pain import PAIN

# Derandomized, so CI runs the same examples every time and a failure reproduces locally;
# REHABIT_PROPERTY_EXAMPLES=1000 explores further on a quiet afternoon.
EXAMPLES = int(os.environ.get("REHABIT_PROPERTY_EXAMPLES", "40"))
PROPERTIES = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

# Every dose and pain field of every model, with the limit it must stay inside.
LIMITS: dict[tuple[str, str], Limit] = {
    ("exercises.Exercise", "default_sets"): dose.SETS,
    ("exercises.Exercise", "default_repetitions"): dose.REPETITIONS,
    ("exercises.Exercise", "default_hold_seconds"): dose.HOLD_SECONDS,
    ("exercises.Exercise", "default_rest_seconds"): dose.REST_SECONDS,
    ("prescriptions.Plan", "times_per_day"): dose.TIMES_PER_DAY,
    ("prescriptions.PlanTemplate", "times_per_day"): dose.TIMES_PER_DAY,
    **{("prescriptions.PlanItem", name): limit for name, limit in dose.DOSE_LIMITS.items()},
    **{("prescriptions.PlanTemplateItem", name): limit for name, limit in dose.DOSE_LIMITS.items()},
    ("patients.SessionLog", "pain_before"): PAIN,
    ("patients.SessionLog", "pain_after"): PAIN,
    ("patients.PainReport", "score"): PAIN,
    ("patients.SessionLogEntry", "prescribed_sets"): dose.SETS,
    ("patients.SessionLogEntry", "prescribed_repetitions"): dose.REPETITIONS,
    ("patients.SessionLogEntry", "prescribed_hold_seconds"): dose.HOLD_SECONDS,
    ("patients.SessionLogEntry", "prescribed_rest_seconds"): dose.REST_SECONDS,
    ("patients.SessionLogEntry", "sets_done"): dose.SETS_DONE,
    ("patients.SessionLogEntry", "repetitions_done"): dose.REPETITIONS_DONE,
    ("patients.SessionLogEntry", "hold_seconds_done"): dose.HOLD_SECONDS_DONE,
}


# What can be posted ---------------------------------------------------------------------------

AWKWARD_TEXTS = [
    "",
    " ",
    " \t\r\n ",
    "\x00",
    "Knee\x00to chest",
    "\u200b",
    "\u202eevil",
    "😀🦵",
    "İstanbul ß ﬁ Ω",
    "<script>alert(1)</script>",
    "'; DROP TABLE patients_patient; --",
    "%s %(name)s {0} {{ x }}",
    '=HYPERLINK("http://evil.example")',
    "\ufeffBOM",
    "line one\nline two",
]

text = st.one_of(
    st.text(max_size=60),
    st.sampled_from(AWKWARD_TEXTS),
    # PostgreSQL cannot store a NUL character, and refuses a query that holds one.
    st.builds(
        lambda before, after: f"{before}\x00{after}", st.text(max_size=8), st.text(max_size=8)
    ),
    # Past every max_length in the app (the longest is 2,000 characters).
    st.builds(
        lambda char, count: char * count, st.characters(codec="utf-8"), st.integers(100, 2500)
    ),
)

HUGE_NUMBERS = [2**15 - 1, 2**15, 2**16, 2**31 - 1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**30]
NUMBER_LOOKALIKES = [
    "",
    " ",
    "1.0",
    "2.5",
    "1e3",
    "0x10",
    "1_0",
    "١٢",  # Arabic-Indic digits
    "²",
    " 7 ",
    "7\x00",
    "--1",
    "+3",
    "three",
    "NaN",
    "Infinity",
    "9" * 5000,
]


def number_text(limit: Limit):
    """A whole-number field as posted: inside the limit, at and around its edges, huge,
    negative, a float, a lookalike or plain junk."""
    edges = [limit.minimum - 1, limit.minimum, limit.maximum, limit.maximum + 1]
    return st.one_of(
        st.integers(limit.minimum, limit.maximum).map(str),
        st.sampled_from(edges).map(str),
        st.integers().map(str),
        st.sampled_from(HUGE_NUMBERS).map(str),
        st.floats().map(str),
        st.sampled_from(NUMBER_LOOKALIKES),
        text,
    )


def valid_number(limit: Limit):
    return st.integers(limit.minimum, limit.maximum).map(str)


def id_text(*known_ids: int):
    """A posted primary key: one of the given ones, or any other number or junk."""
    return st.one_of(
        st.sampled_from([str(pk) for pk in known_ids]) if known_ids else st.nothing(),
        st.sampled_from(["0", "-1", str(2**31), str(2**63), str(10**30)]),
        st.integers().map(str),
        text,
    )


MISSING = object()


def valid_fields(draw, valid: dict) -> dict:
    return {name: draw(strategy) for name, strategy in valid.items()}


def with_faults(draw, data: dict, wild: dict) -> dict:
    """A valid post with up to three of its values made wild, given a NUL character, or left
    out. About one post in three keeps every value, so accepted submissions are exercised as
    well as refused ones. `wild` is keyed by field name; "items-3-sets" is the field "sets"."""
    count = min(draw(st.sampled_from([0, 0, 1, 1, 2, 3])), len(data))
    keys = draw(
        st.lists(st.sampled_from(sorted(data)), min_size=count, max_size=count, unique=True)
    )
    data = dict(data)
    for key in keys:
        fault = draw(st.sampled_from(["wild", "nul", "missing"]))
        if fault == "wild":
            data[key] = draw(wild.get(key.rsplit("-", 1)[-1], text))
        elif fault == "nul":
            data[key] = with_nul(data[key])
        else:
            data[key] = MISSING
    return {name: value for name, value in data.items() if value is not MISSING}


def exact_or_faulty(draw, data: dict, wild: dict, limits: dict[str, Limit], *, as_text=True):
    """Half the time, `data` (a valid post) with one whole-number field set to a number near
    its limit or far past it, and whether the form must accept it (exactly when the number is
    inside the limit); otherwise `data` with a few faults, and None: no claim either way."""
    keys = [key for key in sorted(data) if key.rsplit("-", 1)[-1] in limits]
    if not keys or draw(st.booleans()):
        return with_faults(draw, data, wild), None
    key = draw(st.sampled_from(keys))
    limit = limits[key.rsplit("-", 1)[-1]]
    number = draw(
        st.one_of(
            st.integers(limit.minimum - 2, limit.maximum + 2),
            st.sampled_from(HUGE_NUMBERS),
            st.integers(),
        )
    )
    return {**data, key: str(number) if as_text else number}, (
        limit.minimum <= number <= limit.maximum
    )


def with_nul(value):
    """A valid value with a NUL character slipped in (PostgreSQL refuses it in text)."""
    if isinstance(value, str):
        return f"{value[:1]}\x00{value[1:]}"
    if isinstance(value, list) and value and isinstance(value[0], str):
        return [with_nul(value[0]), *value[1:]]
    return "\x00"


def prefixed(prefix: str, index: int, row: dict) -> dict:
    return {f"{prefix}-{index}-{name}": value for name, value in row.items()}


def management_form(prefix: str, rows: int) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(rows),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


# A formset's management form, as someone other than the page may send it.
wild_count = st.one_of(st.integers(-3, 60).map(str), st.integers().map(str), text)
MANAGEMENT_WILD = {
    name: wild_count for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
}


# The checks ------------------------------------------------------------------------------------


@contextmanager
def rolled_back():
    """One example's database writes, undone afterwards, so every example starts from the same
    rows (pytest-django resets the database per test, not per hypothesis example)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def rows_of(model_classes) -> dict:
    return {
        model._meta.label: list(model.objects.order_by("pk").values()) for model in model_classes
    }


def assert_handled(response, *, allowed=(200, 302)) -> None:
    """The page answered (a re-shown form or a redirect), not a server error."""
    assert response.status_code < 500, response.status_code
    assert response.status_code in allowed, response.status_code


def assert_outcome(was_accepted: bool, must_accept: bool | None) -> None:
    if must_accept is not None:
        assert was_accepted == must_accept, "accepted" if was_accepted else "refused"


def accepted(response, prefix: str) -> bool:
    """Whether the form was accepted: redirected to where a saved form goes (never to the
    sign-in page, which would mean the example ran signed out and tested nothing). Counted in
    `pytest --hypothesis-show-statistics`, to see that both outcomes are exercised."""
    if response.status_code != 302:
        event("refused")
        return False
    location = response["Location"]
    assert location.startswith(prefix), location
    event("accepted")
    return True


def assert_rows_valid(model_classes) -> None:
    """Every row passes the model's own validation, every dose and pain value is inside its
    limit, and no text holds a NUL character (which PostgreSQL cannot store)."""
    for model in model_classes:
        for row in model.objects.all():
            row.full_clean()
            for field in model._meta.concrete_fields:
                value = getattr(row, field.attname)
                limit = LIMITS.get((model._meta.label, field.name))
                if isinstance(field, LimitedIntegerField):
                    assert limit is not None, f"{model._meta.label}.{field.name} has no limit here"
                if limit is not None and value is not None:
                    assert limit.minimum <= value <= limit.maximum, (field.name, value)
                if isinstance(field, models.CharField | models.TextField) and value:
                    assert "\x00" not in value, (model._meta.label, field.name)
