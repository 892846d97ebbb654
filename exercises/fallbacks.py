"""Which language an exercise's text is shown in where it is not written in the reader's own:
first the default language of the reader's clinic, then English, the language every exercise is
written in. A clinic in Quebec whose default is French, say, shows its French text to a patient
who reads Spanish until the Spanish is written, not the English.

django-modeltranslation reads its fallbacks from `MODELTRANSLATION_FALLBACK_LANGUAGES`, a fixed
setting; `ClinicFirstFallbacks` is that setting with the clinic's language put first for the
duration of a request (`clinic_language`, which `ClinicContentLanguageMiddleware` opens for the
signed-in person's clinic). Outside a request, or with no clinic, it is the plain setting:
English. The settings read this module, so it imports no models."""

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

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


class ClinicContentLanguageMiddleware:
    """For the length of a signed-in person's request, exercise text not written in their
    language falls back to their clinic's default language first. The clinic is read only if a
    page shows such text (most pages have read it already)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        with clinic_language(partial(_clinic_default, user) if signed_in else None):
            return self.get_response(request)


def _clinic_default(user) -> str | None:
    clinic = getattr(user, "clinic", None)
    return clinic.default_language if clinic is not None else None
