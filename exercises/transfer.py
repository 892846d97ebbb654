"""A clinic's own exercise library as a CSV or JSON file, out and back in.

The JSON file has the shape of the shared starter catalog (`{"version": 1, "exercises": [...]}`)
with two more fields per exercise, `video_url` and `archived`; the CSV file has one column per
field. Both export in a form that imports back unchanged, so a clinic can download its library,
edit it in a spreadsheet or editor, and upload it again.

Import reads the whole file, checks every row, and either saves every row in one transaction or
saves nothing and reports every problem with the line (CSV) or item (JSON) it is on. Rows are
matched to the clinic's own exercises by slug: a known slug updates, a new slug creates, and an
exercise the file does not mention is left as it is; so is any optional field the file leaves out
(an empty cell, by contrast, clears the field). Shared catalog exercises are never changed:
a row with a shared exercise's slug creates (or updates) the clinic's own version of it, which the
per-clinic slug uniqueness allows, and which remembers the shared one it was copied from.
"""

import csv
import io
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clinics import audit
from clinics.models import AuditAction, Clinic, User

from . import dose
from .access import can_manage_library
from .languages import DEFAULT_LANGUAGE, EXERCISE_TEXT_FIELDS, TRANSLATED_LANGUAGES, localized
from .models import BodyRegion, Exercise, ExerciseStep, Kind
from .services import ENTRY_FIELDS, MAX_STEPS, ExerciseInput, translation_errors

FORMATS = ("csv", "json")
JSON_VERSION = 1
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000

COLUMNS = [
    "slug",
    "name",
    "body_region",
    "kind",
    "summary",
    "steps",
    "cautions",
    "contraindications",
    "equipment",
    "sets",
    "repetitions",
    "hold_seconds",
    "rest_seconds",
    "sided",
    "video_url",
    "archived",
]
# The other languages' texts, optional columns after the rest: name_es, summary_es, steps_es, …
# Their steps are the English ones translated, one for one.
TRANSLATED_TEXT_COLUMNS = ("name", "summary", "equipment")
TRANSLATED_LINE_COLUMNS = ("steps", "cautions", "contraindications")
TRANSLATED_COLUMNS = [
    localized(column, language)
    for language in TRANSLATED_LANGUAGES
    for column in ("name", "summary", "steps", "cautions", "contraindications", "equipment")
]
COLUMNS += TRANSLATED_COLUMNS
REQUIRED_COLUMNS = [
    "slug",
    "name",
    "body_region",
    "kind",
    "steps",
    "sets",
    "repetitions",
    "hold_seconds",
    "rest_seconds",
]
OPTIONAL_COLUMNS = [column for column in COLUMNS if column not in REQUIRED_COLUMNS]
TEXT_FIELDS = (
    "slug",
    "name",
    "body_region",
    "kind",
    "summary",
    "equipment",
    "video_url",
    *(localized(name, lang) for lang in TRANSLATED_LANGUAGES for name in TRANSLATED_TEXT_COLUMNS),
)
LINE_FIELDS = (
    "steps",
    "cautions",
    "contraindications",
    *(localized(name, lang) for lang in TRANSLATED_LANGUAGES for name in TRANSLATED_LINE_COLUMNS),
)
STEP_COLUMNS = ("steps", *(localized("steps", lang) for lang in TRANSLATED_LANGUAGES))
FLAG_FIELDS = ("sided", "archived")
NUMBER_LIMITS = {
    "sets": dose.SETS,
    "repetitions": dose.REPETITIONS,
    "hold_seconds": dose.HOLD_SECONDS,
    "rest_seconds": dose.REST_SECONDS,
}
# The file's field for each model field it sets; the rest of the model (image, copied_from) is
# the clinic's to manage in the app and an import leaves it alone.
MODEL_FIELDS = {
    **ENTRY_FIELDS,
    "is_archived": "archived",
    **{localized(name, DEFAULT_LANGUAGE): name for name in EXERCISE_TEXT_FIELDS},
    **{
        localized(name, lang): localized(name, lang)
        for lang in TRANSLATED_LANGUAGES
        for name in EXERCISE_TEXT_FIELDS
    },
}
TRUE_WORDS = ("yes", "y", "true", "1")
FALSE_WORDS = ("no", "n", "false", "0", "")

# A spreadsheet treats a cell that starts with one of these as a formula, so a text such as
# "=HYPERLINK(...)" in an exported file could run when opened (OWASP "CSV injection"). Export
# puts an apostrophe in front, which spreadsheets show as text, and import takes it off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Problem:
    where: str  # "line 4", "item 3", or "" for the file as a whole
    field: str
    message: str

    def __str__(self) -> str:
        place = ", ".join(part for part in (self.where, self.field) if part)
        return f"{place}: {self.message}" if place else str(self.message)


class ImportRefused(ValidationError):
    """Nothing was imported; `problems` says every reason, each with its place in the file."""

    def __init__(self, problems: list[Problem]):
        super().__init__([str(problem) for problem in problems], code="import_refused")
        self.problems = problems


@dataclass(frozen=True)
class ImportRow:
    where: str  # how a message points at the row: "line 4" (CSV) or "item 3" (JSON)
    values: dict  # the row in the JSON shape, as read: text, lists of lines, numbers
    unreadable: str = ""  # why the row could not be read as an exercise at all


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


# Reading files ------------------------------------------------------------------------------


def _refuse(message, where: str = "") -> ImportRefused:
    return ImportRefused([Problem(where, "", message)])


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise _refuse(
            _(
                "The file is not UTF-8 text. Save it as UTF-8 (in a spreadsheet, choose "
                "“CSV UTF-8”) and upload it again."
            ),
            _("line %(number)d") % {"number": line},
        ) from error


def _needs_formula_escape(text: str) -> bool:
    # Apostrophes already in front are escaped too, so that import takes off exactly one.
    return text.lstrip("'").startswith(FORMULA_STARTS)


def _formula_escaped(text: str) -> str:
    return f"'{text}" if _needs_formula_escape(text) else text


def _formula_unescaped(text: str) -> str:
    if text.startswith("'") and _needs_formula_escape(text[1:]):
        return text[1:]
    return text


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse(content: bytes, *, fmt: str) -> list[ImportRow]:
    if fmt == "csv":
        return parse_csv(content)
    if fmt == "json":
        return parse_json(content)
    raise _refuse(_("Choose a .csv or .json file."))


def parse_csv(content: bytes) -> list[ImportRow]:
    """The rows of a CSV file with a header row. A row is named by the line it starts on (the
    header is line 1), which the csv reader's line count gives even when a quoted cell spans
    several lines."""
    reader = csv.reader(io.StringIO(_decode(content), newline=""), strict=True)
    previous_line = 0
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise _refuse(_("The first line must be the header row, naming the columns."))
        columns = [cell.strip().lower() for cell in header]
        _check_header(columns)
        rows, previous_line = [], reader.line_num
        for record in reader:
            where = _("line %(number)d") % {"number": previous_line + 1}
            previous_line = reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(columns):
                problem = _(
                    "This row has %(cells)d cells but the header has %(columns)d columns. "
                    "A cell with a comma in it needs double quotes around it."
                ) % {"cells": len(record), "columns": len(columns)}
                rows.append(ImportRow(where, {}, unreadable=problem))
                continue
            rows.append(ImportRow(where, _csv_values(dict(zip(columns, record, strict=True)))))
    except csv.Error as error:
        raise _refuse(
            _(
                "The CSV cannot be read here (%(error)s). A quoted cell may be missing its "
                "closing quote, or have text after it."
            )
            % {"error": error},
            _("line %(number)d") % {"number": previous_line + 1},
        ) from error
    return rows


def _check_header(columns: list[str]) -> None:
    problems = []
    allowed = ", ".join(COLUMNS)
    seen = set()
    for column in columns:
        if column in seen:
            problems.append(Problem(_("line 1"), column, _("This column appears more than once.")))
        elif column not in COLUMNS:
            problems.append(
                Problem(
                    _("line 1"),
                    column,
                    _("Unknown column. The columns are: %(columns)s.") % {"columns": allowed},
                )
            )
        seen.add(column)
    missing = [column for column in REQUIRED_COLUMNS if column not in seen]
    if missing:
        problems.append(
            Problem(
                _("line 1"),
                "",
                _("Missing required columns: %(columns)s.") % {"columns": ", ".join(missing)},
            )
        )
    if problems:
        raise ImportRefused(problems)


def _csv_values(cells: dict[str, str]) -> dict:
    values = {}
    for column, cell in cells.items():
        cell = _formula_unescaped(cell.strip())
        values[column] = _lines(cell) if column in LINE_FIELDS else cell
    return values


def parse_json(content: bytes) -> list[ImportRow]:
    """The items of a `{"version": 1, "exercises": [...]}` file, named "item 1", "item 2" … in
    the order they appear."""
    try:
        data = json.loads(_decode(content))
    except json.JSONDecodeError as error:
        raise _refuse(
            _("This is not valid JSON: %(error)s (column %(column)d).")
            % {"error": error.msg, "column": error.colno},
            _("line %(number)d") % {"number": error.lineno},
        ) from error
    except (ValueError, RecursionError) as error:
        # A number too long to read, or lists nested thousands deep: not an exercise library.
        raise _refuse(_("This is not a file of exercises this app can read.")) from error
    if not isinstance(data, dict) or not isinstance(data.get("exercises"), list):
        raise _refuse(
            _(
                'The file must be an object with an "exercises" list: {"version": 1, "exercises": '
                "[…]}."
            )
        )
    if data.get("version") != JSON_VERSION:
        raise _refuse(
            _('The file must say "version": %(version)d; this app reads that version only.')
            % {"version": JSON_VERSION}
        )
    rows = []
    for number, item in enumerate(data["exercises"], start=1):
        where = _("item %(number)d") % {"number": number}
        if not isinstance(item, dict):
            problem = _("Each exercise must be an object of fields and values.")
            rows.append(ImportRow(where, {}, unreadable=problem))
        else:
            rows.append(ImportRow(where, item))
    return rows


# Checking rows ------------------------------------------------------------------------------


def _text(value) -> str | None:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    return None


def _line_list(value) -> list[str] | None:
    if value is None:
        return []
    if isinstance(value, str):
        return _lines(value)
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return [line.strip() for line in value if line.strip()]
    return None


def _whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if text.isascii() and text.isdigit():
        # Ten digits are already past every limit; reading no more keeps int() cheap.
        return int((text.lstrip("0") or "0")[:10])
    return None


def _flag(value) -> bool | None:
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE_WORDS + FALSE_WORDS:
        return value.strip().lower() in TRUE_WORDS
    return None


def _choice_message(value: str, what, choices) -> str:
    return _("“%(value)s” is not a %(what)s. Use one of: %(allowed)s.") % {
        "value": value,
        "what": what,
        "allowed": ", ".join(choices.values),
    }


# The database (PostgreSQL) cannot store this character in text, and no one types it; a file
# that has one was made by a program, or is not text at all.
NUL = "\x00"


def _nul_message() -> str:
    return _(
        "This text contains a NUL character (code 0), which cannot be saved. Remove it; "
        "every other character is allowed."
    )


def entry_clean(values: dict) -> tuple[dict, list[tuple[str, str]]]:
    """A row's values in their stored types (the shape `entry_from_exercise` gives), and its
    problems as (field, message). No database access; the model's checks come after."""
    problems: list[tuple[str, str]] = []
    unknown = sorted(set(values) - set(COLUMNS))
    for name in unknown:
        problems.append(
            (name, _("Unknown field. The fields are: %(fields)s.") % {"fields": ", ".join(COLUMNS)})
        )
    entry: dict = {}
    for name in TEXT_FIELDS:
        text = _text(values.get(name))
        if text is None:
            problems.append((name, _("Write this as text.")))
            text = ""
        elif NUL in text:
            problems.append((name, _nul_message()))
            text = text.replace(NUL, "")
        entry[name] = text
    entry["body_region"] = entry["body_region"].lower()
    entry["kind"] = entry["kind"].lower()
    if entry["body_region"] and entry["body_region"] not in BodyRegion.values:
        problems.append(
            ("body_region", _choice_message(entry["body_region"], _("body region"), BodyRegion))
        )
    if entry["kind"] and entry["kind"] not in Kind.values:
        problems.append(("kind", _choice_message(entry["kind"], _("kind of exercise"), Kind)))
    for name in LINE_FIELDS:
        lines = _line_list(values.get(name))
        if lines is None:
            problems.append((name, _("Write this as a list of text lines.")))
            lines = []
        elif any(NUL in line for line in lines):
            problems.append((name, _nul_message()))
            lines = [line.replace(NUL, "") for line in lines]
        entry[name] = lines
    if not entry["steps"] and "steps" not in dict(problems):
        problems.append(("steps", _("Add at least one step, one per line.")))
    if len(entry["steps"]) > MAX_STEPS:
        problems.append(
            (
                "steps",
                _("An exercise can have at most %(max)d steps; this one has %(count)d.")
                % {"max": MAX_STEPS, "count": len(entry["steps"])},
            )
        )
    for position, text in enumerate(entry["steps"], start=1):
        try:
            ExerciseStep(position=position, text=text).full_clean(
                exclude=["exercise"], validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            for message in error.messages:
                problems.append(
                    ("steps", _("step %(n)d: %(message)s") % {"n": position, "message": message})
                )
    if not any(name == "steps" for name, _message in problems):
        for name, messages in translation_errors(
            exercise_input(entry), steps=entry["steps"]
        ).items():
            problems.extend((name, message) for message in messages)
    for name, limit in NUMBER_LIMITS.items():
        number = _whole_number(values.get(name))
        if number is None:
            problems.append((name, str(limit.message)))
        entry[name] = number
    for name in FLAG_FIELDS:
        flag = _flag(values.get(name))
        if flag is None:
            problems.append((name, _("Write yes or no.")))
        entry[name] = bool(flag)
    # Keep the file's order of fields, so an entry compares and exports the same every time.
    return {name: entry[name] for name in COLUMNS}, problems


def exercise_input(entry: dict) -> ExerciseInput:
    """A file's entry, its translation columns included, as the services take it."""
    translations = {
        lang: {name: entry.get(localized(name, lang), "") for name in ENTRY_KEYS}
        for lang in TRANSLATED_LANGUAGES
    }
    return ExerciseInput.from_entry({**entry, "translations": translations})


# The keys of one language's texts in an entry.
ENTRY_KEYS = ("name", "summary", "steps", "cautions", "contraindications", "equipment")


def _texts(exercise: Exercise, language: str) -> dict:
    """An exercise's texts in one language, as the file writes them; empty where not written."""

    def text(name: str) -> str:
        return (getattr(exercise, localized(name, language)) or "").strip()

    steps = [
        (getattr(step, localized("text", language)) or "").strip() for step in exercise.steps.all()
    ]
    return {
        "name": text("name"),
        "summary": text("summary"),
        "steps": steps if any(steps) else [],
        "cautions": _lines(text("cautions")),
        "contraindications": _lines(text("contraindications")),
        "equipment": text("equipment"),
    }


def entry_from_exercise(exercise: Exercise) -> dict:
    """An exercise as one entry of the file, read by column so that it is the same whichever
    language is active; steps must be prefetched."""
    english = _texts(exercise, DEFAULT_LANGUAGE)
    translated = {
        localized(name, lang): value
        for lang in TRANSLATED_LANGUAGES
        for name, value in _texts(exercise, lang).items()
    }
    return {
        "slug": exercise.slug,
        "name": english["name"],
        "body_region": exercise.body_region,
        "kind": exercise.kind,
        "summary": english["summary"],
        "steps": english["steps"],
        "cautions": english["cautions"],
        "contraindications": english["contraindications"],
        "equipment": english["equipment"],
        "sets": exercise.default_sets,
        "repetitions": exercise.default_repetitions,
        "hold_seconds": exercise.default_hold_seconds,
        "rest_seconds": exercise.default_rest_seconds,
        "sided": exercise.is_sided,
        "video_url": exercise.video_url,
        "archived": exercise.is_archived,
        **translated,
    }


def _model_problems(exercise: Exercise, skip: set[str]) -> list[tuple[str, str]]:
    """The model's own validation of every field the file sets. Constraints are not checked
    here: the field validators cover each CHECK constraint with the same message, slug
    uniqueness is what the import's matching by slug is for, and running them would cost
    several queries per row. The database still enforces all of them."""
    exclude = {"clinic", "copied_from", "image"} | {
        model_field for model_field, file_field in MODEL_FIELDS.items() if file_field in skip
    }
    if "slug" in skip:
        exclude.add("slug")
    try:
        exercise.full_clean(
            exclude=sorted(exclude), validate_unique=False, validate_constraints=False
        )
    except ValidationError as error:
        return [
            (MODEL_FIELDS.get(name, name if name != "__all__" else ""), message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return []


# The import ---------------------------------------------------------------------------------


@transaction.atomic
def exercise_library_import(
    *, clinic: Clinic, imported_by: User, rows: list[ImportRow]
) -> ImportResult:
    """Create or update the clinic's own exercises from a file's rows, matched by slug: all of
    them, or none and an ImportRefused listing every problem. Importing the same rows again
    changes nothing (not even `updated_at`)."""
    if not can_manage_library(user=imported_by, clinic_id=clinic.pk):
        raise ValidationError(_("Only the clinic's admins can import exercises."))
    if not rows:
        raise _refuse(_("The file has no exercises."))
    if len(rows) > MAX_ROWS:
        raise _refuse(
            _(
                "The file has %(count)s exercises; at most %(max)s can be imported at once. "
                "Split it into smaller files."
            )
            % {"count": f"{len(rows):,}", "max": f"{MAX_ROWS:,}"}
        )
    # Two admins importing at once would both try to create the same new slugs; the second
    # waits here for the first to finish, then finds its rows and updates them instead.
    Clinic.objects.select_for_update().filter(pk=clinic.pk).first()

    cleaned = [
        (row, {}, [("", row.unreadable)]) if row.unreadable else (row, *entry_clean(row.values))
        for row in rows
    ]
    slugs = {entry["slug"] for _row, entry, _problems in cleaned if entry.get("slug")}
    existing = {
        exercise.slug: exercise
        for exercise in Exercise.objects.filter(clinic=clinic, slug__in=slugs).prefetch_related(
            "steps"
        )
    }
    shared = dict(Exercise.objects.shared().filter(slug__in=slugs).values_list("slug", "pk"))

    problems: list[Problem] = []
    first_seen: dict[str, str] = {}
    to_create, to_update, new_steps = [], [], {}
    result = ImportResult()
    for row, entry, row_problems in cleaned:
        if not entry:
            problems.extend(Problem(row.where, field, message) for field, message in row_problems)
            continue
        slug = entry["slug"]
        if slug in first_seen:
            row_problems.append(
                (
                    "slug",
                    _("“%(slug)s” is also on %(where)s; each slug may appear only once.")
                    % {"slug": slug, "where": first_seen[slug]},
                )
            )
        elif slug:
            first_seen[slug] = row.where
        exercise = existing.get(slug)
        current = entry_from_exercise(exercise) if exercise is not None else None
        if current is not None:
            # An optional column the file leaves out keeps what the exercise has: a sheet of
            # names and doses must not wipe out contraindications or unarchive anything.
            entry |= {name: current[name] for name in OPTIONAL_COLUMNS if name not in row.values}
        unchanged = entry == current
        if exercise is None:
            exercise = Exercise(clinic=clinic, slug=slug, copied_from_id=shared.get(slug))
        same_steps = current is not None and all(
            current[column] == entry[column] for column in STEP_COLUMNS
        )
        data = exercise_input(entry)
        if not unchanged:
            for name, value in data.model_values().items():
                setattr(exercise, name, value)
            exercise.is_archived = entry["archived"]
        row_problems.extend(
            _model_problems(exercise, skip={field for field, _message in row_problems})
        )
        if row_problems:
            problems.extend(Problem(row.where, field, message) for field, message in row_problems)
            continue
        if unchanged:
            result.unchanged += 1
            continue
        if exercise.pk is None:
            to_create.append(exercise)
            result.created += 1
        else:
            to_update.append(exercise)
            result.updated += 1
        if not same_steps:
            new_steps[slug] = (exercise, data.step_rows())
    if problems:
        raise ImportRefused(problems)

    Exercise.objects.bulk_create(to_create)
    now = timezone.now()
    for exercise in to_update:
        exercise.updated_at = now
    Exercise.objects.bulk_update(to_update, [*MODEL_FIELDS, "updated_at"])
    ExerciseStep.objects.filter(
        exercise__in=[exercise for exercise, _steps in new_steps.values() if exercise in to_update]
    ).delete()
    ExerciseStep.objects.bulk_create(
        ExerciseStep(exercise=exercise, position=position, **row)
        for exercise, rows in new_steps.values()
        for position, row in enumerate(rows, start=1)
    )
    audit.record(
        action=AuditAction.LIBRARY_IMPORTED,
        clinic=clinic,
        actor=imported_by,
        summary=_("%(created)d added, %(updated)d changed, %(unchanged)d unchanged.")
        % {"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    return result


# Export -------------------------------------------------------------------------------------


def library_entries(*, clinic: Clinic) -> list[dict]:
    """The clinic's own exercises, active and archived, as file entries ordered by slug. The
    shared catalog is not the clinic's to export as its own."""
    exercises = Exercise.objects.filter(clinic=clinic).prefetch_related("steps")
    return sorted((entry_from_exercise(exercise) for exercise in exercises), key=_slug_key)


def _slug_key(entry: dict) -> str:
    return entry["slug"]


def export_json(entries: list[dict]) -> str:
    return (
        json.dumps({"version": JSON_VERSION, "exercises": entries}, ensure_ascii=False, indent=2)
        + "\n"
    )


def _csv_cell(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = "\n".join(value)
    return _formula_escaped(str(value))


def export_csv(entries: list[dict]) -> str:
    """A header row, then one row per exercise. Steps, cautions and contraindications are one
    line each inside their cell. The byte-order mark lets spreadsheet programs read it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for entry in entries:
        writer.writerow([_csv_cell(entry[column]) for column in COLUMNS])
    return "\ufeff" + out.getvalue()
