"""Which language each person reads Rehabit in: their own choice, else their clinic's default.
Pages, emails, notifications and handouts all ask `language_for`."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def language_for(user, *, clinic=None) -> str:
    """The language code for `user`: theirs, else their clinic's default, else the site's.
    A caller that has the person's clinic at hand passes it, which saves a query per person
    in the scheduler's loops."""
    if user is not None and getattr(user, "language", "") in LANGUAGE_CODES:
        return user.language
    if clinic is None:
        clinic = getattr(user, "clinic", None)
    if clinic is not None and clinic.default_language in LANGUAGE_CODES:
        return clinic.default_language
    return settings.LANGUAGE_CODE


def language_name(code: str) -> str:
    """A language's name in that language ("Español"), as the switch and the choices show it."""
    return dict(settings.LANGUAGES).get(code, code)


def language_choices(clinic) -> list[tuple[str, str]]:
    """A person's choices: blank for the clinic's default (named, so nobody has to guess it),
    then each language by its own name."""
    default = _("The clinic's default (%(language)s)") % {
        "language": language_name(clinic.default_language)
    }
    return [("", default), *settings.LANGUAGES]


class PersonLanguageMiddleware:
    """A signed-in person reads pages in their language; signed-out pages keep what
    LocaleMiddleware chose (the language switch's cookie, else the browser's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = language_for(user)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
