from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from clinics import audit
from clinics.models import AuditAction, Clinic, User
from lib.images import PreparedImage, prepare_image
from lib.slugs import unique_slug

from .access import can_manage_library
from .languages import (
    DEFAULT_LANGUAGE,
    EXERCISE_TEXT_FIELDS,
    TRANSLATED_LANGUAGES,
    localized,
)
from .models import Exercise, ExerciseStep
from .selectors import exercise_usage


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


# How the starter catalog and the library's files name the exercise's fields.
ENTRY_FIELDS = {
    "name": "name",
    "body_region": "body_region",
    "kind": "kind",
    "summary": "summary",
    "cautions": "cautions",
    "contraindications": "contraindications",
    "equipment": "equipment",
    "is_sided": "sided",
    "default_sets": "sets",
    "default_repetitions": "repetitions",
    "default_hold_seconds": "hold_seconds",
    "default_rest_seconds": "rest_seconds",
    "video_url": "video_url",
}


@dataclass(frozen=True)
class TranslatedContent:
    """An exercise's texts in one language besides English. Its steps, when written, are the
    English steps translated one for one, in the same order; a text left empty shows the
    English."""

    name: str = ""
    summary: str = ""
    cautions: str = ""
    contraindications: str = ""
    equipment: str = ""
    steps: list[str] = field(default_factory=list)

    @classmethod
    def from_entry(cls, entry: dict) -> "TranslatedContent":
        """One language as the catalog's translation files and the library's files write it."""
        return cls(
            name=entry.get("name", ""),
            summary=entry.get("summary", ""),
            cautions="\n".join(entry.get("cautions", [])),
            contraindications="\n".join(entry.get("contraindications", [])),
            equipment=entry.get("equipment", ""),
            steps=list(entry.get("steps", [])),
        )

    def trimmed(self) -> "TranslatedContent":
        return TranslatedContent(
            name=self.name.strip(),
            summary=self.summary.strip(),
            cautions=_lines(self.cautions),
            contraindications=_lines(self.contraindications),
            equipment=self.equipment.strip(),
            steps=[text.strip() for text in self.steps if text and text.strip()],
        )

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in (*EXERCISE_TEXT_FIELDS, "steps"))


@dataclass(frozen=True)
class ExerciseInput:
    """What a clinic writes about one of its exercises: the add and edit pages, the import and
    the starter catalog all give the services this. The picture is a file, given apart."""

    name: str
    body_region: str
    kind: str
    steps: list[str]
    summary: str = ""
    cautions: str = ""
    contraindications: str = ""
    equipment: str = ""
    is_sided: bool = False
    default_sets: int = 1
    default_repetitions: int = 1
    default_hold_seconds: int = 0
    default_rest_seconds: int = 0
    video_url: str = ""
    # Whose picture it is; kept only while the exercise has a picture.
    image_title: str = ""
    image_author: str = ""
    image_source: str = ""
    image_licence: str = ""
    # The texts above are the English; these are the other languages given, by language code.
    # A language left out keeps what the exercise has in it.
    translations: dict[str, TranslatedContent] = field(default_factory=dict)

    @classmethod
    def from_exercise(cls, exercise: Exercise) -> "ExerciseInput":
        """The exercise as it is, steps and translations included, e.g. to change part of it.
        Read by column, so it is the same whichever language is active."""
        steps = list(exercise.steps.all())
        translations = {}
        for language in TRANSLATED_LANGUAGES:
            content = TranslatedContent(
                steps=[getattr(step, localized("text", language)) or "" for step in steps],
                **{
                    name: getattr(exercise, localized(name, language)) or ""
                    for name in EXERCISE_TEXT_FIELDS
                },
            )
            if not any(content.steps):
                content = replace(content, steps=[])
            if not content.is_empty:
                translations[language] = content
        values = {name: getattr(exercise, name) for name in EXERCISE_FIELDS}
        for name in EXERCISE_TEXT_FIELDS:
            values[name] = getattr(exercise, localized(name, DEFAULT_LANGUAGE)) or ""
        return cls(
            steps=[getattr(step, localized("text", DEFAULT_LANGUAGE)) or "" for step in steps],
            translations=translations,
            **values,
        )

    @classmethod
    def from_entry(cls, entry: dict) -> "ExerciseInput":
        """An exercise as the starter catalog and the library's files write it (`sets`,
        `sided`, cautions as a list of lines, …). A field the entry leaves out takes its
        default."""
        values = {name: entry[key] for name, key in ENTRY_FIELDS.items() if key in entry}
        values["cautions"] = "\n".join(entry.get("cautions", []))
        values["contraindications"] = "\n".join(entry.get("contraindications", []))
        values["is_sided"] = bool(entry.get("sided", False))
        translations = {
            language: TranslatedContent.from_entry(content)
            for language, content in entry.get("translations", {}).items()
            if language in TRANSLATED_LANGUAGES
        }
        return cls(steps=list(entry["steps"]), translations=translations, **values)

    def trimmed(self) -> "ExerciseInput":
        """Without the spaces around the texts and the empty lines, as the exercise keeps it."""
        return replace(
            self,
            name=self.name.strip(),
            summary=self.summary.strip(),
            cautions=_lines(self.cautions),
            contraindications=_lines(self.contraindications),
            equipment=self.equipment.strip(),
            video_url=self.video_url.strip(),
            image_title=self.image_title.strip(),
            image_author=self.image_author.strip(),
            image_source=self.image_source.strip(),
            translations={
                language: content.trimmed() for language, content in self.translations.items()
            },
        )

    def model_values(self) -> dict:
        """The exercise's own fields but the steps, by column: the texts in English and in each
        language given (None where a translation is left empty, so the English shows)."""
        values = {name: getattr(self, name) for name in EXERCISE_FIELDS}
        for name in EXERCISE_TEXT_FIELDS:
            values[localized(name, DEFAULT_LANGUAGE)] = values.pop(name)
            for language, content in self.translations.items():
                values[localized(name, language)] = getattr(content, name) or None
        return values

    def step_rows(self) -> list[dict]:
        """Each step's text by column, English first; a language given without steps has none."""
        rows = []
        for position, text in enumerate(self.steps):
            row = {localized("text", DEFAULT_LANGUAGE): text}
            for language, content in self.translations.items():
                translated = content.steps[position] if position < len(content.steps) else ""
                row[localized("text", language)] = translated or None
            rows.append(row)
        return rows


# The exercise's own fields a clinic writes, which "Copy to my clinic" takes over too.
EXERCISE_FIELDS = [
    field.name for field in fields(ExerciseInput) if field.name not in ("steps", "translations")
]
PICTURE_CREDIT_FIELDS = ["image_title", "image_author", "image_source", "image_licence"]


@transaction.atomic
def shared_exercises_load(*, entries: list[dict]) -> LoadResult:
    """Create or update the shared catalog from its data file, matched by slug, with the
    translations an entry carries (`translations`: {"es": {...}}). Running it again with the
    same data changes nothing; any invalid entry rolls the whole load back."""
    result = LoadResult()
    existing = {
        exercise.slug: exercise
        for exercise in Exercise.objects.shared()
        .filter(slug__in=[entry["slug"] for entry in entries])
        .prefetch_related("steps")
    }
    for entry in entries:
        data = ExerciseInput.from_entry(entry).trimmed()
        errors = translation_errors(data, steps=data.steps)
        if errors:
            slug = entry["slug"]
            raise ValidationError({f"{slug}: {key}": value for key, value in errors.items()})
        values = data.model_values()
        # The starter catalog has no video links or pictures; one added in the Django admin
        # stays, with its credit.
        for name in ["video_url", *PICTURE_CREDIT_FIELDS]:
            del values[name]
        exercise = existing.get(entry["slug"])
        rows = data.step_rows()
        if exercise is None:
            exercise = Exercise(clinic=None, slug=entry["slug"], **values)
            exercise.full_clean()
            exercise.save()
            result.created += 1
        else:
            changed = [name for name, value in values.items() if getattr(exercise, name) != value]
            same_steps = _step_rows_of(exercise, columns=rows[0] if rows else {}) == rows
            if not changed and same_steps:
                result.unchanged += 1
                continue
            for name in changed:
                setattr(exercise, name, values[name])
            exercise.full_clean()
            exercise.save()
            result.updated += 1
            if same_steps:
                continue
        _steps_save(exercise, data)
    return result


def _step_rows_of(exercise: Exercise, *, columns) -> list[dict]:
    return [{name: getattr(step, name) for name in columns} for step in exercise.steps.all()]


# Patients follow the steps at home; more than this is a sign the exercise should be two.
MAX_STEPS = 20
STEP_MAX_LENGTH = ExerciseStep._meta.get_field("text").max_length


def _check_admin(*, user: User, exercise: Exercise) -> None:
    if exercise.is_shared:
        raise ValidationError(
            _(
                "Shared exercises cannot be changed by a clinic. Copy it to your clinic to "
                "make a version you can edit."
            ),
            code="shared",
        )
    if not can_manage_library(user=user, clinic_id=exercise.clinic_id):
        raise ValidationError(
            _("Only an admin of the exercise's clinic can change it."), code="not_admin"
        )


def _audit(action: str, *, exercise: Exercise, user: User) -> None:
    audit.record(
        action=action,
        clinic_id=exercise.clinic_id,
        actor=user,
        summary=_("Exercise “%(name)s” (#%(number)d).")
        % {"name": exercise.name, "number": exercise.pk},
    )


def clean_steps(steps: list[str]) -> list[str]:
    """The steps to save, trimmed and without empty rows; refused when there are none, too
    many or one too long. The page's form asks this too, to report it with other mistakes."""
    texts = [text.strip() for text in steps if text and text.strip()]
    if not texts:
        raise ValidationError(_("Add at least one step: patients follow the steps at home."))
    if len(texts) > MAX_STEPS:
        raise ValidationError(
            _("An exercise can have at most %(max)d steps; this one has %(count)d.")
            % {"max": MAX_STEPS, "count": len(texts)}
        )
    for position, text in enumerate(texts, start=1):
        if len(text) > STEP_MAX_LENGTH:
            raise ValidationError(
                _("Step %(position)d is too long: a step can be at most %(max)d characters.")
                % {"position": position, "max": STEP_MAX_LENGTH}
            )
    return texts


def translation_errors(data: "ExerciseInput", *, steps: list[str]) -> dict[str, list[str]]:
    """A translation's steps are the English ones, one for one: a different number would put a
    line beside the wrong step. A translation with any text needs its name, which lists and
    the patient's pages show first."""
    errors: dict[str, list[str]] = {}
    for language, content in data.translations.items():
        if content.steps and len(content.steps) != len(steps):
            errors[localized("steps", language)] = [
                _(
                    "Write one line per step, the same number as the English steps "
                    "(%(expected)d), in the same order; this has %(count)d. Or leave it empty "
                    "to show the English steps."
                )
                % {"expected": len(steps), "count": len(content.steps)}
            ]
        for position, text in enumerate(content.steps, start=1):
            if len(text) > STEP_MAX_LENGTH:
                errors.setdefault(localized("steps", language), []).append(
                    _("Step %(position)d is too long: a step can be at most %(max)d characters.")
                    % {"position": position, "max": STEP_MAX_LENGTH}
                )
        if not content.is_empty and not content.name:
            errors[localized("name", language)] = [
                _(
                    "Give the exercise's name in this language too, or leave the whole "
                    "language empty to show the English."
                )
            ]
    return errors


def _validated(
    exercise: Exercise, *, data: "ExerciseInput", image: File | None
) -> tuple[list[str], PreparedImage | None]:
    """Check the fields, the steps, the translations and the picture together, so one refusal
    lists every problem; nothing is written until all of them pass. A newly uploaded picture
    must say whose it is (one from before pictures had credits keeps its silence until an admin
    fills it in); an exercise without a picture keeps no credit."""
    errors: dict[str, list] = {}
    texts, picture = [], None
    has_picture = image is not None or bool(exercise.image)
    if not has_picture:
        for name in PICTURE_CREDIT_FIELDS:
            setattr(exercise, name, "")
    elif image is not None and not exercise.image_licence:
        errors["image_licence"] = [
            _("Say whose picture this is: choose “Our own photo”, or the licence it comes with.")
        ]
    try:
        # The slug is chosen after the checks, and the unique-slug constraints are met by
        # choosing it (`_unique_slug`), so they need no queries here.
        exercise.full_clean(
            exclude=["clinic", "slug", "image", "copied_from"], validate_constraints=False
        )
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    try:
        texts = clean_steps(data.steps)
    except ValidationError as error:
        errors["steps"] = error.messages
    else:
        for name, messages in translation_errors(data, steps=texts).items():
            errors.setdefault(name, []).extend(messages)
    if image is not None:
        try:
            picture = prepare_image(image)
        except ValidationError as error:
            errors["image"] = error.messages
    if errors:
        raise ValidationError(errors)
    return texts, picture


def _steps_save(exercise: Exercise, data: "ExerciseInput") -> None:
    """Replace the steps. A language `data` does not give keeps its step texts, when the
    English steps are as many as before."""
    rows = data.step_rows()
    old = list(exercise.steps.order_by("position")) if exercise.pk else []
    if len(old) == len(rows):
        for language in TRANSLATED_LANGUAGES:
            if language in data.translations:
                continue
            column = localized("text", language)
            for row, step in zip(rows, old, strict=True):
                row[column] = getattr(step, column)
    exercise.steps.all().delete()
    ExerciseStep.objects.bulk_create(
        ExerciseStep(exercise=exercise, position=position, **row)
        for position, row in enumerate(rows, start=1)
    )


def _unique_slug(*, clinic: Clinic, wanted: str) -> str:
    # Two admins adding "Cat-camel" at the same moment take turns choosing the slug.
    Clinic.objects.select_for_update().only("pk").get(pk=clinic.pk)
    return unique_slug(wanted, taken_in=Exercise.objects.filter(clinic=clinic), fallback="exercise")


@contextmanager
def _picture_stored(exercise: Exercise, picture: PreparedImage | None) -> Iterator[None]:
    """Store the picture, and take it away again if the writes that follow fail."""
    if picture is None:
        yield
        return
    exercise.image.save(picture.name, picture, save=False)
    try:
        yield
    except BaseException:
        default_storage.delete(exercise.image.name)
        raise


def _delete_file_if_unused(name: str) -> None:
    """Copies share their original's picture file, so a file goes only with its last user,
    and only once the change that dropped it is committed."""
    if not name:
        return

    def delete() -> None:
        if not Exercise.objects.filter(image=name).exists():
            default_storage.delete(name)

    transaction.on_commit(delete)


def _save_with_steps(exercise: Exercise, *, data: "ExerciseInput", image: File | None) -> None:
    """Check the exercise, its steps, translations and picture, then save them all."""
    texts, picture = _validated(exercise, data=data, image=image)
    if exercise.pk is None:
        # A new exercise's slug is chosen once the checks pass; an edited one keeps its own.
        exercise.slug = _unique_slug(clinic=exercise.clinic, wanted=exercise.name)
    with _picture_stored(exercise, picture):
        exercise.save()
        _steps_save(exercise, replace(data, steps=texts))


@transaction.atomic
def exercise_create(
    *, clinic: Clinic, created_by: User, data: ExerciseInput, image: File | None = None
) -> Exercise:
    """One of the clinic's own exercises, with its steps in order and an optional picture
    (checked and re-encoded by `images.prepare_image`)."""
    data = data.trimmed()
    exercise = Exercise(clinic=clinic, **data.model_values())
    _check_admin(user=created_by, exercise=exercise)
    _save_with_steps(exercise, data=data, image=image)
    _audit(AuditAction.EXERCISE_CREATED, exercise=exercise, user=created_by)
    return exercise


@transaction.atomic
def exercise_update(
    *,
    exercise: Exercise,
    updated_by: User,
    data: ExerciseInput,
    image: File | None = None,
    remove_image: bool = False,
) -> Exercise:
    """Change one of the clinic's own exercises. `data.steps` replaces the steps, in that
    order; a new `image` replaces the picture and `remove_image` drops it. Plans that use the
    exercise show the change; the slug, which imports match on, stays."""
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    _check_admin(user=updated_by, exercise=exercise)
    data = data.trimmed()
    for name, value in data.model_values().items():
        setattr(exercise, name, value)
    old_image = exercise.image.name
    if image is None and remove_image:
        exercise.image = ""
    _save_with_steps(exercise, data=data, image=image)
    if old_image and old_image != exercise.image.name:
        _delete_file_if_unused(old_image)
    _audit(AuditAction.EXERCISE_UPDATED, exercise=exercise, user=updated_by)
    return exercise


@transaction.atomic
def exercise_copy_to_clinic(*, exercise: Exercise, clinic: Clinic, copied_by: User) -> Exercise:
    """An editable copy, in the clinic's library, of an exercise it can see (usually a shared
    one): the same fields, steps and picture file, remembering where it came from."""
    if not can_manage_library(user=copied_by, clinic_id=clinic.pk):
        raise ValidationError(
            _("Only an admin of the clinic can copy exercises into its library."),
            code="not_admin",
        )
    source = Exercise.objects.available_to(clinic).filter(pk=exercise.pk).first()
    if source is None:
        raise ValidationError(_("This exercise is not in your clinic's catalog."), code="foreign")
    if source.is_archived:
        raise ValidationError(_("An archived exercise cannot be copied."), code="archived")
    slug = _unique_slug(clinic=clinic, wanted=source.slug)
    # Checked under the clinic lock `_unique_slug` took, so a double click makes one copy.
    existing = Exercise.objects.filter(clinic=clinic, copied_from=source, is_archived=False)
    if existing.exists():
        raise ValidationError(
            _(
                "Your clinic already has a copy of this exercise. Edit that one, or archive it "
                "before making a new copy."
            ),
            code="already_copied",
        )
    original = ExerciseInput.from_exercise(source)
    copy = Exercise(
        clinic=clinic,
        copied_from=source,
        slug=slug,
        image=source.image.name,
        **original.model_values(),
    )
    copy.full_clean(exclude=["image"], validate_constraints=False)
    copy.save()
    _steps_save(copy, original)
    _audit(AuditAction.EXERCISE_COPIED, exercise=copy, user=copied_by)
    return copy


def _archived_set(*, exercise: Exercise, user: User, archived: bool) -> Exercise:
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    _check_admin(user=user, exercise=exercise)
    if exercise.is_archived != archived:
        exercise.is_archived = archived
        exercise.save(update_fields=["is_archived", "updated_at"])
        action = AuditAction.EXERCISE_ARCHIVED if archived else AuditAction.EXERCISE_RESTORED
        _audit(action, exercise=exercise, user=user)
    return exercise


@transaction.atomic
def exercise_archive(*, exercise: Exercise, archived_by: User) -> Exercise:
    """Take an exercise out of the catalog therapists prescribe from. Plans, templates and logs
    that use it keep it, unchanged. Archiving an archived exercise changes nothing."""
    return _archived_set(exercise=exercise, user=archived_by, archived=True)


@transaction.atomic
def exercise_restore(*, exercise: Exercise, restored_by: User) -> Exercise:
    """Put an archived exercise back in the catalog."""
    return _archived_set(exercise=exercise, user=restored_by, archived=False)


@transaction.atomic
def exercise_delete(*, exercise: Exercise, deleted_by: User) -> None:
    """Delete an exercise nothing ever used. One that a plan, a template or a patient's log
    ever referred to can only be archived, so every record of it reads as it did."""
    # Saving a plan item locks the exercise row it refers to, so a plan saved at this moment
    # either commits first (and is counted below) or waits and then fails on a missing row.
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    _check_admin(user=deleted_by, exercise=exercise)
    usage = exercise_usage(exercise=exercise)
    if usage.ever_used:
        raise ValidationError(usage.only_archive_message, code="in_use")
    image = exercise.image.name
    _audit(AuditAction.EXERCISE_DELETED, exercise=exercise, user=deleted_by)
    exercise.delete()
    _delete_file_if_unused(image)
