from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from clinics import audit
from clinics.models import AuditAction, Clinic
from lib.images import PreparedImage, prepare_image

from .models import Exercise, ExerciseStep
from .selectors import exercise_usage


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _exercise_fields(entry: dict) -> dict:
    return {
        "name": entry["name"],
        "body_region": entry["body_region"],
        "kind": entry["kind"],
        "summary": entry.get("summary", ""),
        "cautions": "\n".join(entry.get("cautions", [])),
        "contraindications": "\n".join(entry.get("contraindications", [])),
        "equipment": entry.get("equipment", ""),
        "is_sided": bool(entry.get("sided", False)),
        "default_sets": entry["sets"],
        "default_repetitions": entry["repetitions"],
        "default_hold_seconds": entry["hold_seconds"],
        "default_rest_seconds": entry["rest_seconds"],
    }


@transaction.atomic
def shared_exercises_load(*, entries: list[dict]) -> LoadResult:
    """Create or update the shared catalog from its data file, matched by slug. Running it again
    with the same data changes nothing; any invalid entry rolls the whole load back."""
    result = LoadResult()
    existing = {
        exercise.slug: exercise
        for exercise in Exercise.objects.shared()
        .filter(slug__in=[entry["slug"] for entry in entries])
        .prefetch_related("steps")
    }
    for entry in entries:
        fields = _exercise_fields(entry)
        steps = list(entry["steps"])
        exercise = existing.get(entry["slug"])
        if exercise is None:
            exercise = Exercise(clinic=None, slug=entry["slug"], **fields)
            exercise.full_clean()
            exercise.save()
            result.created += 1
        else:
            changed = [name for name, value in fields.items() if getattr(exercise, name) != value]
            same_steps = [step.text for step in exercise.steps.all()] == steps
            if not changed and same_steps:
                result.unchanged += 1
                continue
            for name in changed:
                setattr(exercise, name, fields[name])
            exercise.full_clean()
            exercise.save()
            result.updated += 1
            if same_steps:
                continue
            exercise.steps.all().delete()
        new_steps = [
            ExerciseStep(exercise=exercise, position=position, text=text)
            for position, text in enumerate(steps, start=1)
        ]
        for step in new_steps:
            step.full_clean(exclude=["exercise"], validate_unique=False)
        ExerciseStep.objects.bulk_create(new_steps)
    return result


# Patients follow the steps at home; more than this is a sign the exercise should be two.
MAX_STEPS = 20
STEP_MAX_LENGTH = ExerciseStep._meta.get_field("text").max_length
# What "Copy to my clinic" takes over from the original, besides its steps and picture.
COPIED_FIELDS = [
    "name",
    "body_region",
    "kind",
    "summary",
    "cautions",
    "contraindications",
    "equipment",
    "is_sided",
    "default_sets",
    "default_repetitions",
    "default_hold_seconds",
    "default_rest_seconds",
    "video_url",
]


def _check_admin(*, user, exercise: Exercise) -> None:
    if exercise.clinic_id is None:
        raise ValidationError(
            _(
                "Shared exercises cannot be changed by a clinic. Copy it to your clinic to "
                "make a version you can edit."
            ),
            code="shared",
        )
    if not (user.is_clinic_admin and user.clinic_id == exercise.clinic_id):
        raise ValidationError(
            _("Only an admin of the exercise's clinic can change it."), code="not_admin"
        )


def _audit(action: str, *, exercise: Exercise, user) -> None:
    audit.record(
        action=action,
        clinic_id=exercise.clinic_id,
        actor=user,
        summary=_("Exercise “%(name)s” (#%(number)d).")
        % {"name": exercise.name, "number": exercise.pk},
    )


def _lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


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


def _validated(
    exercise: Exercise, *, steps: list[str], image
) -> tuple[list[str], PreparedImage | None]:
    """Check the fields, the steps and the picture together, so one refusal lists every
    problem; nothing is written until all of them pass."""
    errors: dict[str, list] = {}
    texts, picture = [], None
    try:
        # The slug is chosen after the checks, and the unique-slug constraints are met by
        # choosing it (`_unique_slug`), so they need no queries here.
        exercise.full_clean(
            exclude=["clinic", "slug", "image", "copied_from"], validate_constraints=False
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        texts = clean_steps(steps)
    except ValidationError as error:
        errors["steps"] = error.messages
    if image is not None:
        try:
            picture = prepare_image(image)
        except ValidationError as error:
            errors["image"] = error.messages
    if errors:
        raise ValidationError(errors)
    return texts, picture


def _steps_save(exercise: Exercise, texts: list[str]) -> None:
    exercise.steps.all().delete()
    ExerciseStep.objects.bulk_create(
        ExerciseStep(exercise=exercise, position=position, text=text)
        for position, text in enumerate(texts, start=1)
    )


def _unique_slug(*, clinic: Clinic, wanted: str) -> str:
    # Two admins adding "Cat-camel" at the same moment take turns choosing the slug.
    Clinic.objects.select_for_update().only("pk").get(pk=clinic.pk)
    base = slugify(wanted)[:100] or "exercise"
    taken = set(
        Exercise.objects.filter(clinic=clinic, slug__startswith=base).values_list("slug", flat=True)
    )
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


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


@transaction.atomic
def exercise_create(
    *,
    clinic: Clinic,
    created_by,
    name: str,
    body_region: str,
    kind: str,
    steps: list[str],
    summary: str = "",
    cautions: str = "",
    contraindications: str = "",
    equipment: str = "",
    is_sided: bool = False,
    default_sets: int = 1,
    default_repetitions: int = 1,
    default_hold_seconds: int = 0,
    default_rest_seconds: int = 0,
    video_url: str = "",
    image=None,
) -> Exercise:
    """One of the clinic's own exercises, with its steps in order and an optional picture
    (checked and re-encoded by `images.prepare_image`)."""
    exercise = Exercise(
        clinic=clinic,
        name=name.strip(),
        body_region=body_region,
        kind=kind,
        summary=summary.strip(),
        cautions=_lines(cautions),
        contraindications=_lines(contraindications),
        equipment=equipment.strip(),
        is_sided=is_sided,
        default_sets=default_sets,
        default_repetitions=default_repetitions,
        default_hold_seconds=default_hold_seconds,
        default_rest_seconds=default_rest_seconds,
        video_url=video_url.strip(),
    )
    _check_admin(user=created_by, exercise=exercise)
    texts, picture = _validated(exercise, steps=steps, image=image)
    exercise.slug = _unique_slug(clinic=clinic, wanted=exercise.name)
    with _picture_stored(exercise, picture):
        exercise.save()
        _steps_save(exercise, texts)
    _audit(AuditAction.EXERCISE_CREATED, exercise=exercise, user=created_by)
    return exercise


@transaction.atomic
def exercise_update(
    *,
    exercise: Exercise,
    updated_by,
    name: str,
    body_region: str,
    kind: str,
    steps: list[str],
    summary: str = "",
    cautions: str = "",
    contraindications: str = "",
    equipment: str = "",
    is_sided: bool = False,
    default_sets: int = 1,
    default_repetitions: int = 1,
    default_hold_seconds: int = 0,
    default_rest_seconds: int = 0,
    video_url: str = "",
    image=None,
    remove_image: bool = False,
) -> Exercise:
    """Change one of the clinic's own exercises. `steps` replaces the steps, in that order; a
    new `image` replaces the picture and `remove_image` drops it. Plans that use the exercise
    show the change; the slug, which imports match on, stays."""
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    _check_admin(user=updated_by, exercise=exercise)
    exercise.name = name.strip()
    exercise.body_region = body_region
    exercise.kind = kind
    exercise.summary = summary.strip()
    exercise.cautions = _lines(cautions)
    exercise.contraindications = _lines(contraindications)
    exercise.equipment = equipment.strip()
    exercise.is_sided = is_sided
    exercise.default_sets = default_sets
    exercise.default_repetitions = default_repetitions
    exercise.default_hold_seconds = default_hold_seconds
    exercise.default_rest_seconds = default_rest_seconds
    exercise.video_url = video_url.strip()
    texts, picture = _validated(exercise, steps=steps, image=image)
    old_image = exercise.image.name
    if picture is None and remove_image:
        exercise.image = ""
    with _picture_stored(exercise, picture):
        exercise.save()
        _steps_save(exercise, texts)
    if old_image and old_image != exercise.image.name:
        _delete_file_if_unused(old_image)
    _audit(AuditAction.EXERCISE_UPDATED, exercise=exercise, user=updated_by)
    return exercise


@transaction.atomic
def exercise_copy_to_clinic(*, exercise: Exercise, clinic: Clinic, copied_by) -> Exercise:
    """An editable copy, in the clinic's library, of an exercise it can see (usually a shared
    one): the same fields, steps and picture file, remembering where it came from."""
    if not (copied_by.is_clinic_admin and copied_by.clinic_id == clinic.pk):
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
    copy = Exercise(
        clinic=clinic,
        copied_from=source,
        slug=slug,
        image=source.image.name,
        **{name: getattr(source, name) for name in COPIED_FIELDS},
    )
    copy.full_clean(exclude=["image"], validate_constraints=False)
    copy.save()
    _steps_save(copy, list(source.steps.values_list("text", flat=True)))
    _audit(AuditAction.EXERCISE_COPIED, exercise=copy, user=copied_by)
    return copy


def _archived_set(*, exercise: Exercise, user, archived: bool) -> Exercise:
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    _check_admin(user=user, exercise=exercise)
    if exercise.is_archived != archived:
        exercise.is_archived = archived
        exercise.save(update_fields=["is_archived", "updated_at"])
        action = AuditAction.EXERCISE_ARCHIVED if archived else AuditAction.EXERCISE_RESTORED
        _audit(action, exercise=exercise, user=user)
    return exercise


@transaction.atomic
def exercise_archive(*, exercise: Exercise, archived_by) -> Exercise:
    """Take an exercise out of the catalog therapists prescribe from. Plans, templates and logs
    that use it keep it, unchanged. Archiving an archived exercise changes nothing."""
    return _archived_set(exercise=exercise, user=archived_by, archived=True)


@transaction.atomic
def exercise_restore(*, exercise: Exercise, restored_by) -> Exercise:
    """Put an archived exercise back in the catalog."""
    return _archived_set(exercise=exercise, user=restored_by, archived=False)


@transaction.atomic
def exercise_delete(*, exercise: Exercise, deleted_by) -> None:
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
