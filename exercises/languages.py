"""The languages an exercise's content is written in, and what a reader sees where their own is
missing. The interface's language is Django's; this is the content's."""

from django.conf import settings
from django.utils.translation import get_language

DEFAULT_LANGUAGE: str = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
CONTENT_LANGUAGES: tuple[str, ...] = tuple(settings.MODELTRANSLATION_LANGUAGES)
# The languages written beside the default one, e.g. on the editor's Spanish and French tabs.
TRANSLATED_LANGUAGES: tuple[str, ...] = tuple(
    language for language in CONTENT_LANGUAGES if language != DEFAULT_LANGUAGE
)

# The texts a patient reads. The picture's credit stays as its author wrote it.
EXERCISE_TEXT_FIELDS = ("name", "summary", "cautions", "contraindications", "equipment")
STEP_TEXT_FIELDS = ("text",)


def localized(field: str, language: str) -> str:
    """The column that holds a field in one language: name → name_es."""
    return f"{field}_{language}"


def content_language() -> str:
    """The content language matching the active interface language (es-mx reads es)."""
    language = (get_language() or DEFAULT_LANGUAGE).split("-")[0]
    return language if language in CONTENT_LANGUAGES else DEFAULT_LANGUAGE


def content_fallback(clinic) -> str:
    """The language an exercise is shown in where the reader's is not written yet: English, the
    language every exercise is written in first (a clinic whose default is Spanish still writes
    each exercise's English, which the editor requires)."""
    return DEFAULT_LANGUAGE


def is_translated(exercise, language: str) -> bool:
    """Whether the exercise's name is written in `language`: the name is what the marker for
    untranslated content goes by, as a translator writes it first."""
    return bool(getattr(exercise, localized("name", language), None))
