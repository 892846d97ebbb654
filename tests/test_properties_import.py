"""Random files uploaded through the real import page: bytes that are no format at all, CSV and
JSON files shaped like a library with wild cells (huge numbers, unicode, NUL, wrong types,
missing or unknown columns), and broken encodings and syntax. Whatever is uploaded, the page
answers without a server error; a refused file imports nothing; an accepted one saves only
exercises that pass the models' validation, with every default dose inside its limit, and
never touches another clinic's exercises or the shared catalog."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from exercises import transfer
from exercises.languages import TRANSLATED_LANGUAGES, localized
from exercises.models import BodyRegion, Exercise, ExerciseStep, Kind
from tests.exercises.factories import ExerciseFactory
from tests.properties import (
    HUGE_NUMBERS,
    MISSING,
    PROPERTIES,
    assert_outcome,
    assert_rows_valid,
    exact_or_faulty,
    number_text,
    rolled_back,
    rows_of,
    text,
)

IMPORT_URL = reverse("exercises:library-import")
IMPORT_MODELS = [Exercise, ExerciseStep]
RESULT_TEMPLATE = "exercises/library_import_result.html"

name_text = st.text(st.characters(categories=["L", "N", "Zs"]), min_size=1, max_size=30).filter(
    str.strip
)
plain_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30)
slugs = st.one_of(
    st.sampled_from(["cat-camel", "shared-press-up", "wall-slide"]),
    st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True),
)
lines = st.lists(name_text, max_size=4)


@st.composite
def library_entry(draw) -> dict:
    """One exercise as the JSON file has it; the CSV file writes the same as text."""
    entry = {
        "slug": draw(slugs),
        "name": draw(name_text),
        "body_region": draw(st.sampled_from(BodyRegion.values)),
        "kind": draw(st.sampled_from(Kind.values)),
        "summary": draw(plain_text),
        "steps": draw(st.lists(name_text, min_size=1, max_size=transfer.MAX_STEPS)),
        "cautions": draw(lines),
        "contraindications": draw(lines),
        "equipment": draw(plain_text),
        "sided": draw(st.booleans()),
        "video_url": draw(st.sampled_from(["", "https://www.youtube.com/watch?v=abc123"])),
        "archived": draw(st.booleans()),
    }
    for name, limit in transfer.NUMBER_LIMITS.items():
        entry[name] = draw(st.integers(limit.minimum, limit.maximum))
    # Each other language is either not written at all or written whole: its name, and its
    # steps one for one with the English ones (or none, to show the English).
    for language in TRANSLATED_LANGUAGES:
        written = draw(st.booleans())
        steps = len(entry["steps"]) if written and draw(st.booleans()) else 0
        entry |= {
            localized("name", language): draw(name_text) if written else "",
            localized("summary", language): draw(plain_text) if written else "",
            localized("steps", language): draw(st.lists(name_text, min_size=steps, max_size=steps)),
            localized("cautions", language): draw(lines) if written else [],
            localized("contraindications", language): draw(lines) if written else [],
            localized("equipment", language): draw(plain_text) if written else "",
        }
    return entry


def slug_of(entry: dict) -> str:
    return entry["slug"]


def csv_cell(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "\n".join(value)
    return str(value)


CELL_WILD = {
    **{name: number_text(limit) for name, limit in transfer.NUMBER_LIMITS.items()},
    "sided": st.one_of(text, st.sampled_from(["maybe", "YES", " y ", "2"])),
    "archived": st.one_of(text, st.sampled_from(["maybe", "NO", " n ", "-1"])),
    "slug": st.one_of(text, st.sampled_from(["Cat Camel", "cat_camel", "ünïcode", "a" * 200])),
    "body_region": st.one_of(text, st.sampled_from(["LOWER_BACK", "back", "lower back"])),
    "kind": st.one_of(text, st.sampled_from(["Stretch", "yoga"])),
    "video_url": st.one_of(text, st.sampled_from(["javascript:alert(1)", "www.example.com"])),
}

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from(HUGE_NUMBERS),
    st.floats(allow_nan=False, allow_infinity=False),
    text,
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3)),
    max_leaves=8,
)
JSON_WILD = {name: st.one_of(json_values, CELL_WILD.get(name, text)) for name in transfer.COLUMNS}


@pytest.fixture
def library(clinic, other_clinic):
    """The clinic's own Cat-camel (a row can update it), a shared exercise whose slug a row can
    take for the clinic's own version, and another clinic's exercise with the same slug."""
    ExerciseFactory(
        clinic=clinic, slug="cat-camel", name="Cat-camel", contraindications="Pregnancy"
    )
    ExerciseFactory(clinic=None, slug="shared-press-up", name="Prone press-up")
    ExerciseFactory(clinic=other_clinic, slug="cat-camel", name="Their cat-camel")


def upload(client, content: bytes, name: str):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)})


def assert_import_handled(response, clinic) -> None:
    """The page answered without a server error; if it imported, everything saved is valid;
    if not, nothing changed. Other clinics' and the shared exercises never change."""
    assert response.status_code == 200, response.status_code
    templates = {template.name for template in response.templates}
    if RESULT_TEMPLATE in templates:
        event("accepted")
        assert_rows_valid(IMPORT_MODELS)
        for exercise in Exercise.objects.filter(clinic=clinic).prefetch_related("steps"):
            assert 1 <= len(exercise.steps.all()) <= transfer.MAX_STEPS
    else:
        event("refused")
        assert "exercises/library_import.html" in templates


def not_ours(clinic) -> list:
    exercises = Exercise.objects.exclude(clinic=clinic).order_by("pk")
    steps = ExerciseStep.objects.exclude(exercise__clinic=clinic).order_by("pk")
    return [list(exercises.values()), list(steps.values())]


def run_import(client, clinic, content: bytes, name: str, *, must_accept=None):
    with rolled_back():
        before, others = rows_of(IMPORT_MODELS), not_ours(clinic)
        response = upload(client, content, name)
        assert_import_handled(response, clinic)
        was_accepted = RESULT_TEMPLATE in {template.name for template in response.templates}
        assert_outcome(was_accepted, must_accept)
        if not was_accepted:
            assert rows_of(IMPORT_MODELS) == before
        assert not_ours(clinic) == others


# Files of no format at all ---------------------------------------------------------------------


@PROPERTIES
@given(
    content=st.one_of(
        st.binary(max_size=2000),
        st.binary(max_size=500).map(lambda tail: b"\xef\xbb\xbf" + tail),
        st.binary(max_size=500).map(lambda tail: b"slug,name\n" + tail),
        st.binary(max_size=500).map(lambda tail: b'{"version": 1, "exercises": [' + tail),
    ),
    name=st.sampled_from(["library.csv", "library.json", "LIBRARY.CSV", "library.txt", "x"]),
)
def test_random_bytes_never_fail_the_import(content, name, client, clinic_admin, library):
    client.force_login(clinic_admin)
    run_import(client, clinic_admin.clinic, content, name)


# CSV files -------------------------------------------------------------------------------------


@st.composite
def csv_file(draw) -> bytes:
    """A library as CSV: the required columns and some optional ones in any order, one to four
    rows; then a few cells made wild, perhaps a column dropped or added, a row cut short, and
    an encoding or line ending a spreadsheet might use."""
    # A language's columns come together, as a spreadsheet exported from here has them.
    untranslated = [c for c in transfer.OPTIONAL_COLUMNS if c not in transfer.TRANSLATED_COLUMNS]
    optional = draw(st.lists(st.sampled_from(untranslated), unique=True))
    for language in TRANSLATED_LANGUAGES:
        if draw(st.booleans()):
            optional += [c for c in transfer.TRANSLATED_COLUMNS if c.endswith(f"_{language}")]
    columns = draw(st.permutations([*transfer.REQUIRED_COLUMNS, *optional]))
    rows = draw(st.lists(library_entry(), min_size=1, max_size=4, unique_by=slug_of))
    cells = {
        f"{index}-{column}": csv_cell(entry[column])
        for index, entry in enumerate(rows)
        for column in columns
    }
    cells, must_accept = exact_or_faulty(draw, cells, CELL_WILD, transfer.NUMBER_LIMITS)
    header = list(columns)
    shape = "as is"
    if must_accept is None:
        shape = draw(st.sampled_from(["as is"] * 6 + ["drop", "add", "twice", "short", "quote"]))
    if shape == "drop":
        header.remove(draw(st.sampled_from(header)))
    elif shape == "add":
        header.insert(draw(st.integers(0, len(header))), draw(st.one_of(text, st.just("notes"))))
    elif shape == "twice":
        header.append(draw(st.sampled_from(header)))
    out = io.StringIO()
    terminator = draw(st.sampled_from(["\r\n", "\n", "\r"]))
    # Python's writer quotes a field only for the characters of its own line ending, so with
    # bare "\r" rows a step list's "\n" would go unquoted and split the row: a file no
    # spreadsheet writes. Quote every field then, as spreadsheets that end rows in "\r" do.
    quoting = csv.QUOTE_ALL if terminator == "\r" else csv.QUOTE_MINIMAL
    writer = csv.writer(out, lineterminator=terminator, quoting=quoting)
    writer.writerow(header)
    for index in range(len(rows)):
        record = [cells.get(f"{index}-{column}", "") for column in header]
        if shape == "short" and index == 0:
            record = record[:-1]
        writer.writerow(record)
    content = out.getvalue()
    if shape == "quote":
        content += '"cat-camel,unclosed\n'
    encodings = ["utf-8"] * 4 + ["utf-8-sig"]
    if must_accept is None:
        encodings += ["latin-1", "utf-16"]
    return content.encode(draw(st.sampled_from(encodings)), errors="replace"), must_accept


@PROPERTIES
@given(file=csv_file())
def test_a_csv_library_never_fails_the_import_and_saves_only_valid_exercises(
    file, client, clinic_admin, library
):
    client.force_login(clinic_admin)
    content, must_accept = file
    run_import(client, clinic_admin.clinic, content, "library.csv", must_accept=must_accept)


# JSON files ------------------------------------------------------------------------------------


@st.composite
def json_file(draw) -> bytes:
    """A library as JSON: one to four exercises with their values in the file's types; then a
    few values made wild (any JSON value: null, huge numbers, lists, objects), perhaps a field
    left out or an unknown one added, and perhaps the file's own shape broken."""
    entries = draw(st.lists(library_entry(), min_size=1, max_size=4, unique_by=slug_of))
    values = {
        f"{index}-{name}": value
        for index, entry in enumerate(entries)
        for name, value in entry.items()
    }
    values, must_accept = exact_or_faulty(
        draw, values, JSON_WILD, transfer.NUMBER_LIMITS, as_text=False
    )
    items = [
        {
            name: values[f"{index}-{name}"]
            for name in transfer.COLUMNS
            if f"{index}-{name}" in values
        }
        for index in range(len(entries))
    ]
    document = {"version": 1, "exercises": items}
    if must_accept is not None:
        return json.dumps(document, ensure_ascii=draw(st.booleans())).encode(), must_accept
    if draw(st.sampled_from([False] * 5 + [True])):
        items[0][draw(text)] = draw(json_values)
    shape = draw(st.sampled_from(["as is"] * 8 + ["version", "not a list", "list", "item"]))
    if shape == "version":
        document["version"] = draw(json_values)
    elif shape == "not a list":
        document["exercises"] = draw(json_values)
    elif shape == "list":
        document = items
    elif shape == "item":
        items.append(draw(json_values))
    content = json.dumps(document, ensure_ascii=draw(st.booleans()))
    cut = draw(st.sampled_from([MISSING] * 8 + [1, 10, len(content) // 2]))
    if cut is not MISSING:
        content = content[:-cut]
    return content.encode(), None


@PROPERTIES
@given(file=json_file())
def test_a_json_library_never_fails_the_import_and_saves_only_valid_exercises(
    file, client, clinic_admin, library
):
    client.force_login(clinic_admin)
    content, must_accept = file
    run_import(client, clinic_admin.clinic, content, "library.json", must_accept=must_accept)


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"[" * 100_000 + b"]" * 100_000, id="nested-deep"),
        pytest.param(b'{"version": 1, "exercises": [{"sets": ' + b"9" * 5000 + b"}]}", id="long"),
        pytest.param(b'{"version": 1e400, "exercises": []}', id="infinite-version"),
    ],
)
def test_json_that_strains_the_parser_is_refused(content, client, clinic_admin, library):
    client.force_login(clinic_admin)
    before = rows_of(IMPORT_MODELS)
    response = upload(client, content, "library.json")
    assert response.status_code == 200
    assert response.context["problems"]
    assert rows_of(IMPORT_MODELS) == before


# Found by the properties above -----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_nul_character_in_a_file_is_refused_where_it_is(fmt, client, clinic_admin, library):
    # PostgreSQL cannot store NUL in text; the import used to pass it on and fail there.
    entry = {
        "slug": "wall-slide",
        "name": "Wall\x00slide",
        "body_region": "shoulder",
        "kind": "mobility",
        "steps": ["Stand with your back to a wall.", "Slide your arms up\x00."],
        "sets": 2,
        "repetitions": 10,
        "hold_seconds": 0,
        "rest_seconds": 30,
    }
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(list(entry))
        writer.writerow([csv_cell(value) for value in entry.values()])
        content = out.getvalue().encode()
    else:
        content = json.dumps({"version": 1, "exercises": [entry]}).encode()
    client.force_login(clinic_admin)
    before = rows_of(IMPORT_MODELS)
    response = upload(client, content, f"library.{fmt}")
    assert response.status_code == 200
    message = (
        "This text contains a NUL character (code 0), which cannot be saved. Remove it; "
        "every other character is allowed."
    )
    where = "line 2" if fmt == "csv" else "item 1"
    assert [str(problem) for problem in response.context["problems"]] == [
        f"{where}, name: {message}",
        f"{where}, steps: {message}",
    ]
    assert rows_of(IMPORT_MODELS) == before
