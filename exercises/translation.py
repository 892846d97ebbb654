"""Which exercise texts are kept per language (docs/languages.md). Each field gains a column per
language on the same row (`name_en`, `name_es`, `name_fr`); reading `exercise.name` gives the
reader's language, or English where that is not written yet."""

from modeltranslation.translator import TranslationOptions, register

from .languages import EXERCISE_TEXT_FIELDS, STEP_TEXT_FIELDS
from .models import Exercise, ExerciseStep


@register(Exercise)
class ExerciseTranslationOptions(TranslationOptions):
    fields = EXERCISE_TEXT_FIELDS


@register(ExerciseStep)
class ExerciseStepTranslationOptions(TranslationOptions):
    fields = STEP_TEXT_FIELDS
