"""The languages an exercise's content is written in, and what a reader sees where their own is
missing. The interface's language is Django's; this is the content's."""

from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from modeltranslation.utils import resolution_order

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


def reading_order() -> tuple[str, ...]:
    """The languages an exercise's text is looked for in, in order: the reader's, then their
    clinic's default, then English, which every exercise has (exercises/fallbacks.py)."""
    return resolution_order(content_language())


def shown_language(exercise) -> str:
    """The language the reader sees the exercise's content in: the first in reading order
    its name is written in."""
    order = reading_order()
    return next((language for language in order if is_translated(exercise, language)), order[-1])


def is_translated(exercise, language: str) -> bool:
    """Whether the exercise's name is written in `language`: the name is what the marker for
    untranslated content goes by, as a translator writes it first."""
    return bool(getattr(exercise, localized("name", language), None))


def shown_name():
    """An exercise's name as the reader sees it, for ordering in the database: the first written
    in reading order."""
    *before, last = reading_order()
    if not before:
        return F(localized("name", last))
    return Coalesce(
        *(NullIf(F(localized("name", language)), Value("")) for language in before),
        F(localized("name", last)),
    )


def name_contains(query: str) -> Q:
    """A search by name finds an exercise by its name in any language: staff reading Spanish
    may still type the English name a colleague uses."""
    return reduce(
        or_,
        (
            Q(**{f"{localized('name', language)}__icontains": query})
            for language in CONTENT_LANGUAGES
        ),
    )
