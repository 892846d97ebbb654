from pathlib import PurePath

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.template.defaultfilters import filesizeformat
from django.utils.text import format_lazy
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _

from lib.images import ACCEPT, MAX_WIDTH, prepare_image
from lib.web import ServiceErrorsMixin

from . import dose, transfer
from .languages import DEFAULT_LANGUAGE, EXERCISE_TEXT_FIELDS, TRANSLATED_LANGUAGES, localized
from .models import LICENCE_CHOICE_MESSAGE, BodyRegion, Exercise, Kind, PictureLicence
from .services import (
    EXERCISE_FIELDS,
    MAX_STEPS,
    STEP_MAX_LENGTH,
    ExerciseInput,
    TranslatedContent,
    clean_steps,
)

# Each language's texts besides English, as the editor names them: name_es, steps_es, …
TRANSLATED_FIELDS = ("name", "summary", "steps", "cautions", "contraindications", "equipment")
LINE_TEXTS = ("steps", "cautions", "contraindications")


def translated_field_names(language: str) -> list[str]:
    return [localized(name, language) for name in TRANSLATED_FIELDS]


def language_name(language: str) -> str:
    return get_language_info(language)["name_translated"]


STEPS_PREFIX = "steps"
# Every step plus the empty row to type the next one in.
MAX_STEP_ROWS = MAX_STEPS + 1
# A new exercise starts with this many empty step rows; most have three to five steps.
NEW_EXERCISE_STEP_ROWS = 3

VIDEO_URL_MESSAGE = _(
    "Enter a web address that starts with http:// or https://, for example "
    "https://www.youtube.com/watch?v=abc123."
)
SOURCE_URL_MESSAGE = _(
    "Enter a web address that starts with http:// or https://, for example "
    "https://commons.wikimedia.org/wiki/File:Knee_hug.jpg."
)


class CatalogFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name"), required=False, max_length=100)
    region = forms.ChoiceField(
        label=_("Body region"),
        required=False,
        choices=[("", _("All regions")), *BodyRegion.choices],
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Active")), ("archived", _("Archived"))],
    )


def _model_field(name: str, **kwargs) -> forms.Field:
    return Exercise._meta.get_field(name).formfield(**kwargs)


def _web_address(label, *, max_length: int, message, help_text) -> forms.URLField:
    """An optional http(s) address, refused with `message` (an example of one) otherwise."""
    return forms.URLField(
        label=label,
        required=False,
        max_length=max_length,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"], message=message)],
        error_messages={"invalid": message},
        help_text=help_text,
    )


class ExerciseForm(ServiceErrorsMixin, forms.Form):
    """An exercise's fields but its steps, which are a formset of their own (`StepFormSet`).
    It only checks what was typed; `exercise_create` and `exercise_update` own the rules."""

    name = _model_field(
        "name", error_messages={"required": _("Give the exercise a name, e.g. Cat-camel.")}
    )
    summary = _model_field(
        "summary", help_text=_("One line the therapist sees in the catalog. Optional.")
    )
    body_region = _model_field(
        "body_region",
        error_messages={
            "required": _("Choose a body region from the list."),
            "invalid_choice": _("Choose a body region from the list."),
        },
    )
    kind = _model_field(
        "kind",
        error_messages={
            "required": _("Choose a kind of exercise from the list."),
            "invalid_choice": _("Choose a kind of exercise from the list."),
        },
    )
    equipment = _model_field(
        "equipment", help_text=_("For example: a mat, a towel, a resistance band. Optional.")
    )
    is_sided = _model_field("is_sided")
    contraindications = _model_field("contraindications", widget=forms.Textarea(attrs={"rows": 3}))
    cautions = _model_field("cautions", widget=forms.Textarea(attrs={"rows": 3}))
    default_sets = dose.SETS.form_field(_("Sets"), help_text=dose.SETS.help_text)
    default_repetitions = dose.REPETITIONS.form_field(
        _("Repetitions"), help_text=dose.REPETITIONS.help_text
    )
    default_hold_seconds = dose.HOLD_SECONDS.form_field(
        _("Hold (seconds)"),
        help_text=_("0 for an exercise done as repetitions; 20 to 30 for most stretches."),
    )
    default_rest_seconds = dose.REST_SECONDS.form_field(
        _("Rest (seconds)"), help_text=dose.REST_SECONDS.help_text
    )
    video_url = _web_address(
        _("Video link"),
        max_length=200,
        message=VIDEO_URL_MESSAGE,
        help_text=_("A web address starting with http:// or https://. Optional."),
    )
    image = forms.FileField(
        label=_("Picture"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        error_messages={"empty": _("This file is empty. Upload a JPEG, PNG or WebP image.")},
        help_text=format_lazy(
            _(
                "A JPEG, PNG or WebP image of at most 5 MB. Wider pictures are resized to "
                "{width} pixels wide."
            ),
            width=MAX_WIDTH,
        ),
    )
    remove_image = forms.BooleanField(label=_("Remove the current picture"), required=False)
    image_licence = forms.ChoiceField(
        label=_("Whose picture is it?"),
        required=False,
        choices=PictureLicence.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": LICENCE_CHOICE_MESSAGE},
        help_text=_(
            "Pictures from elsewhere are shown with the credit their licence asks for, on the "
            "exercise's page and on handouts."
        ),
    )
    image_title = _model_field("image_title", help_text=_("Optional."))
    image_author = _model_field(
        "image_author",
        help_text=_("Who made it. Needed for CC BY, CC BY-SA and pictures used with permission."),
    )
    image_source = _web_address(
        _("Where it comes from"),
        max_length=500,
        message=SOURCE_URL_MESSAGE,
        help_text=_("The web address of the picture, if it comes from the web. Optional."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, limit in (
            ("default_sets", dose.SETS),
            ("default_repetitions", dose.REPETITIONS),
            ("default_hold_seconds", dose.HOLD_SECONDS),
            ("default_rest_seconds", dose.REST_SECONDS),
        ):
            self.fields[name].error_messages["required"] = limit.message
        for language in TRANSLATED_LANGUAGES:
            self.fields.update(_translation_fields(language))

    def translation_groups(self) -> list[tuple[str, str, list]]:
        """Each other language's code, name and fields, for the editor's fieldset per language."""
        return [
            (
                language,
                language_name(language),
                [self[name] for name in translated_field_names(language)],
            )
            for language in TRANSLATED_LANGUAGES
        ]

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        # Checked here so a bad picture is reported with any other mistake; the service takes
        # the prepared picture as it is.
        return prepare_image(upload) if upload else None

    def exercise_input(self, steps: list[str]) -> ExerciseInput:
        translations = {
            language: TranslatedContent(
                steps=(self.cleaned_data[localized("steps", language)] or "").splitlines(),
                **{
                    name: self.cleaned_data[localized(name, language)] or ""
                    for name in EXERCISE_TEXT_FIELDS
                },
            )
            for language in TRANSLATED_LANGUAGES
        }
        return ExerciseInput(
            steps=steps,
            translations=translations,
            **{name: self.cleaned_data[name] for name in EXERCISE_FIELDS},
        )


def _translation_fields(language: str) -> dict[str, forms.Field]:
    """One language's fields, all optional: what is left empty shows the English. The steps are
    one per line, the English steps translated in their order, so each line stays beside its
    step and moving the English steps is the one way to reorder them."""
    in_language = language_name(language)
    fields_ = {}
    for name in TRANSLATED_FIELDS:
        if name == "steps":
            field = forms.CharField(
                label=_("Steps"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 5}),
                help_text=format_lazy(
                    _(
                        "One step per line, as many as the English steps and in their order. "
                        "Leave empty to show the English steps. ({language})"
                    ),
                    language=in_language,
                ),
            )
        else:
            field = _model_field(localized(name, language), required=False)
            if name in ("cautions", "contraindications"):
                field.widget = forms.Textarea(attrs={"rows": 3})
            field.label = Exercise._meta.get_field(name).verbose_name.capitalize()
            field.help_text = ""
        field.widget.attrs["lang"] = language
        fields_[localized(name, language)] = field
    return fields_


class StepForm(forms.Form):
    text = forms.CharField(
        label=_("Step"),
        required=False,
        max_length=STEP_MAX_LENGTH,
        error_messages={
            "max_length": _(
                "A step can be at most %(limit_value)d characters (this one has %(show_value)d)."
            )
        },
    )


class BaseStepFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": format_lazy(
            _("An exercise can have at most {maximum} steps."), maximum=MAX_STEPS
        ),
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # The template row the script copies gets its number when it is added.
        number = "__number__" if index is None else index + 1
        form.fields["text"].label = _("Step %(number)s") % {"number": number}

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        try:
            clean_steps(self.texts())
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def texts(self) -> list[str]:
        return [form.cleaned_data.get("text", "") for form in self.forms]


StepFormSet = forms.formset_factory(
    StepForm,
    formset=BaseStepFormSet,
    extra=0,
    max_num=MAX_STEP_ROWS,
    absolute_max=MAX_STEP_ROWS,
)


def step_formset(texts: list[str], *, focus_index: int | None = None) -> BaseStepFormSet:
    formset = StepFormSet(prefix=STEPS_PREFIX, initial=[{"text": text} for text in texts])
    if focus_index is not None and 0 <= focus_index < len(formset.forms):
        formset.forms[focus_index].fields["text"].widget.attrs["autofocus"] = True
    return formset


def step_texts_from_post(data) -> list[str]:
    """The step rows as typed, in order, for re-showing the page after a step button."""
    try:
        count = int(data.get(f"{STEPS_PREFIX}-TOTAL_FORMS", 0))
    except ValueError:
        count = 0
    return [
        data.get(f"{STEPS_PREFIX}-{index}-text", "")
        for index in range(min(max(count, 0), MAX_STEP_ROWS))
    ]


def step_rows_for(exercise: Exercise | None) -> list[str]:
    """The rows to show for an exercise's saved steps (prefetched): each step, then an empty row
    to type another in; a new exercise starts with a few empty rows."""
    if exercise is None:
        return [""] * NEW_EXERCISE_STEP_ROWS
    return [*(step.text for step in exercise.steps.all()), ""]


def step_action(action: str, texts: list[str]) -> tuple[list[str], int | None]:
    """Apply a step button ("step-add", "step-up:2", ...) to the rows. Returns the rows and
    the row to put the cursor in. Anything unknown or out of range leaves the rows as they are."""
    texts = list(texts)
    verb, _sep, argument = action.partition(":")
    if verb == "step-add":
        if len(texts) >= MAX_STEP_ROWS:
            return texts, None
        texts.append("")
        return texts, len(texts) - 1
    try:
        index = int(argument)
    except ValueError:
        return texts, None
    if not 0 <= index < len(texts):
        return texts, None
    if verb == "step-remove":
        texts.pop(index)
        return texts, min(index, len(texts) - 1) if texts else None
    if verb in ("step-up", "step-down"):
        other = index - 1 if verb == "step-up" else index + 1
        if 0 <= other < len(texts):
            texts[index], texts[other] = texts[other], texts[index]
            return texts, other
    return texts, None


def exercise_initial(exercise: Exercise | None) -> dict:
    """The form's starting values: the exercise's, or the model's defaults for a new one. A
    picture yet to be chosen is "our own photo" unless said otherwise, the usual case; one
    already there whose licence nobody recorded is left for the admin to say."""
    if exercise is None:
        initial = {name: Exercise._meta.get_field(name).get_default() for name in EXERCISE_FIELDS}
    else:
        initial = {name: getattr(exercise, name) for name in EXERCISE_FIELDS}
        # By column, so the English fields show the English whichever language is active.
        for name in EXERCISE_TEXT_FIELDS:
            initial[name] = getattr(exercise, localized(name, DEFAULT_LANGUAGE)) or ""
        for language in TRANSLATED_LANGUAGES:
            for name in EXERCISE_TEXT_FIELDS:
                initial[localized(name, language)] = getattr(exercise, localized(name, language))
            initial[localized("steps", language)] = "\n".join(
                getattr(step, localized("text", language)) or "" for step in exercise.steps.all()
            ).strip()
    if not (exercise and exercise.image):
        initial["image_licence"] = PictureLicence.OWN
    return initial


def exercise_initial_from_post(data) -> dict:
    """What was typed, to show again (without error marks) after a step button."""
    names = [
        *EXERCISE_FIELDS,
        *(n for lang in TRANSLATED_LANGUAGES for n in translated_field_names(lang)),
    ]
    initial = {name: data.get(name, "") for name in names}
    initial["is_sided"] = bool(data.get("is_sided"))
    initial["remove_image"] = bool(data.get("remove_image"))
    return initial


class LibraryImportForm(ServiceErrorsMixin, forms.Form):
    file = forms.FileField(
        label=_("File to import"),
        help_text=_("A .csv or .json file, at most 2 MB and 2,000 exercises."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,text/csv,application/json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if self.format_of(upload) not in transfer.FORMATS:
            raise ValidationError(gettext("Choose a file whose name ends in .csv or .json."))
        if upload.size > transfer.MAX_UPLOAD_BYTES:
            raise ValidationError(
                gettext("The file is %(size)s; the largest file accepted is %(max)s.")
                % {
                    "size": filesizeformat(upload.size),
                    "max": filesizeformat(transfer.MAX_UPLOAD_BYTES),
                }
            )
        return upload

    @staticmethod
    def format_of(upload) -> str:
        return PurePath(upload.name or "").suffix.lower().lstrip(".")
