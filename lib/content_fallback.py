"""Which language an exercise's text is shown in where it is not written in the reader's own:
first the default language of the reader's clinic, then English, the language every exercise is
written in. A clinic in Quebec whose default is French, say, shows its French text to a patient
who reads Spanish until the Spanish is written, not the English.

django-modeltranslation reads its fallbacks from `MODELTRANSLATION_FALLBACK_LANGUAGES`, a fixed
setting; `ClinicFirstFallbacks` is that setting with the clinic's language put first for the
duration of a request (`clinic_language`, which the language middleware opens). Outside a request,
or with no clinic, it is the plain setting: English."""

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager

# The clinic's language, or a function that gives it when first asked (reading the signed-in
# person's clinic only on a page that shows an exercise's text).
_clinic_language: contextvars.ContextVar[str | Callable[[], str | None] | None] = (
    contextvars.ContextVar("clinic_content_language", default=None)
)


class ClinicFirstFallbacks(dict):
    """`{"default": ("en",)}` to modeltranslation, which asks `.get(reader's language)` for the
    languages to try before the default ones: the clinic's default language, while one is set."""

    def get(self, key, default=None):
        clinic = current_clinic_language()
        if key != "default" and clinic and clinic != key:
            return (clinic, *super().get(key, ()))
        return super().get(key, default)


@contextmanager
def clinic_language(language: str | Callable[[], str | None] | None) -> Iterator[None]:
    """Within the block, untranslated text falls back to `language` first (None: to English)."""
    token = _clinic_language.set(language or None)
    try:
        yield
    finally:
        _clinic_language.reset(token)


def current_clinic_language() -> str | None:
    language = _clinic_language.get()
    return (language() if callable(language) else language) or None
