from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import dose


class BodyRegion(models.TextChoices):
    NECK = "neck", _("Neck")
    SHOULDER = "shoulder", _("Shoulder")
    UPPER_BACK = "upper_back", _("Upper back")
    LOWER_BACK = "lower_back", _("Lower back")
    CORE = "core", _("Core")
    HIP = "hip", _("Hip")
    KNEE = "knee", _("Knee")
    ANKLE_FOOT = "ankle_foot", _("Ankle and foot")


class Kind(models.TextChoices):
    STRETCH = "stretch", _("Stretch")
    STRENGTHENING = "strengthening", _("Strengthening")
    MOBILITY = "mobility", _("Mobility")
    BALANCE = "balance", _("Balance")


class PictureLicence(models.TextChoices):
    """Under what terms a clinic shows a picture it uploaded. The catalog's own drawings are
    CC BY 4.0 (exercises/catalog/FIGURES-LICENSE.md)."""

    OWN = "own", _("Our own photo")
    CC_BY = "cc-by-4.0", _("CC BY 4.0")
    CC_BY_SA = "cc-by-sa-4.0", _("CC BY-SA 4.0")
    CC0 = "cc0-1.0", _("CC0 (public domain)")
    PERMISSION = "permission", _("Used with permission")


# The licences that ask for the author to be credited wherever the picture is shown.
CREDITED_LICENCES = (PictureLicence.CC_BY, PictureLicence.CC_BY_SA, PictureLicence.PERMISSION)
LICENCE_URLS = {
    PictureLicence.CC_BY: "https://creativecommons.org/licenses/by/4.0/",
    PictureLicence.CC_BY_SA: "https://creativecommons.org/licenses/by-sa/4.0/",
    PictureLicence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
}
LICENCE_CHOICE_MESSAGE = _(
    "Choose the picture's licence from the list: our own photo, CC BY 4.0, CC BY-SA 4.0, "
    "CC0 or used with permission."
)


class ExerciseQuerySet(models.QuerySet):
    def shared(self):
        return self.filter(clinic__isnull=True)

    def available_to(self, clinic):
        """What a clinic can see and prescribe from: the shared catalog plus its own."""
        return self.filter(Q(clinic__isnull=True) | Q(clinic=clinic))

    def active(self):
        return self.filter(is_archived=False)

    def with_steps(self):
        return self.prefetch_related("steps")


class Exercise(models.Model):
    """A catalog entry. Shared exercises have no clinic; a clinic's own have one. Once an
    exercise is used it is archived rather than deleted, so plans and logs keep pointing at it."""

    clinic = models.ForeignKey(
        "clinics.Clinic",
        verbose_name=_("clinic"),
        on_delete=models.PROTECT,
        related_name="exercises",
        null=True,
        blank=True,
        help_text=_("Empty for the shared catalog every clinic can use."),
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120)
    body_region = models.CharField(_("body region"), max_length=20, choices=BodyRegion.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    summary = models.CharField(_("summary"), max_length=240, blank=True)
    cautions = models.TextField(
        _("cautions"),
        blank=True,
        help_text=_("Safety tips, one per line, shown to the patient with the exercise."),
    )
    contraindications = models.TextField(
        _("contraindications"),
        blank=True,
        help_text=_(
            "Conditions that need the therapist's judgement (e.g. osteoporosis), one per line. "
            "Shown as a warning when prescribing, and to the patient."
        ),
    )
    equipment = models.CharField(_("equipment"), max_length=120, blank=True)
    is_sided = models.BooleanField(
        _("done one side at a time"),
        default=False,
        help_text=_("For exercises such as a hamstring stretch that are done on each side."),
    )
    default_sets = dose.SETS.field(_("default sets"), default=1)
    default_repetitions = dose.REPETITIONS.field(_("default repetitions"), default=1)
    default_hold_seconds = dose.HOLD_SECONDS.field(_("default hold (seconds)"), default=0)
    default_rest_seconds = dose.REST_SECONDS.field(_("default rest (seconds)"), default=0)
    image = models.ImageField(_("image"), upload_to="exercises/", blank=True)
    image_title = models.CharField(_("picture title"), max_length=200, blank=True)
    image_author = models.CharField(
        _("picture author"),
        max_length=200,
        blank=True,
        help_text=_("Who made the picture, as its licence asks to credit them."),
    )
    image_source = models.URLField(
        _("picture source"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("The web address the picture comes from."),
    )
    image_licence = models.CharField(
        _("picture licence"),
        max_length=20,
        choices=PictureLicence.choices,
        blank=True,
        error_messages={"invalid_choice": LICENCE_CHOICE_MESSAGE},
    )
    video_url = models.URLField(
        _("video link"),
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
    )
    is_archived = models.BooleanField(_("archived"), default=False)
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ExerciseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "slug"],
                name="exercise_slug_unique_per_clinic",
                violation_error_message=_("This clinic already has an exercise with this slug."),
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=Q(clinic__isnull=True),
                name="exercise_slug_unique_shared",
                violation_error_message=_("The shared catalog already has this slug."),
            ),
            # The English name and steps are the ones every language falls back to
            # (exercises/translation.py adds name_en and text_en).
            models.CheckConstraint(
                condition=Q(name_en__isnull=False) & ~Q(name_en=""),
                name="exercise_name_not_blank",
                violation_error_message=_("An exercise needs a name."),
            ),
            models.CheckConstraint(
                condition=Q(body_region__in=BodyRegion.values),
                name="exercise_body_region_valid",
                violation_error_message=_("Choose a body region from the list."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=Kind.values),
                name="exercise_kind_valid",
                violation_error_message=_("Choose a kind of exercise from the list."),
            ),
            models.CheckConstraint(
                condition=Q(image_licence__in=["", *PictureLicence.values]),
                name="exercise_image_licence_valid",
                violation_error_message=LICENCE_CHOICE_MESSAGE,
            ),
            dose.SETS.constraint("default_sets", "exercise_default_sets_range"),
            dose.REPETITIONS.constraint("default_repetitions", "exercise_default_reps_range"),
            dose.HOLD_SECONDS.constraint("default_hold_seconds", "exercise_default_hold_range"),
            dose.REST_SECONDS.constraint("default_rest_seconds", "exercise_default_rest_range"),
        ]
        indexes = [models.Index(fields=["body_region", "kind"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("exercises:exercise-detail", args=[self.pk])

    def clean(self):
        if self.image_licence in CREDITED_LICENCES and not self.image_author.strip():
            raise ValidationError(
                {
                    "image_author": _(
                        "Name the picture's author: its licence (%(licence)s) asks for them to "
                        "be credited wherever it is shown."
                    )
                    % {"licence": self.get_image_licence_display()}
                }
            )

    def validate_constraints(self, exclude=None):
        # A name already refused as blank is not refused again by the constraint on the English
        # column beneath it.
        exclude = set(exclude or ())
        if "name" in exclude:
            exclude.add("name_en")
        super().validate_constraints(exclude=exclude)

    @property
    def is_shared(self) -> bool:
        return self.clinic_id is None

    @property
    def contraindication_list(self) -> list[str]:
        return [line.strip() for line in self.contraindications.splitlines() if line.strip()]

    @property
    def caution_list(self) -> list[str]:
        """Everything the patient should heed: the conditions to check first, then the tips."""
        tips = [line.strip() for line in self.cautions.splitlines() if line.strip()]
        return [*self.contraindication_list, *tips]

    @property
    def default_dose_text(self) -> str:
        return dose.describe(
            sets=self.default_sets,
            repetitions=self.default_repetitions,
            hold_seconds=self.default_hold_seconds,
            rest_seconds=self.default_rest_seconds,
            side=dose.Side.BOTH if self.is_sided else dose.Side.NONE,
        )

    @property
    def is_stretch(self) -> bool:
        return self.kind == Kind.STRETCH


class ExerciseStep(models.Model):
    exercise = models.ForeignKey(
        Exercise, verbose_name=_("exercise"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("instruction"), max_length=500)

    class Meta:
        ordering = ["exercise", "position"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [
            models.UniqueConstraint(
                fields=["exercise", "position"],
                name="exercise_step_position_unique",
                violation_error_message=_("Two steps cannot share a position."),
            ),
            models.CheckConstraint(
                condition=Q(text_en__isnull=False) & ~Q(text_en=""),
                name="exercise_step_text_not_blank",
                violation_error_message=_("A step needs an instruction."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"
