"""Where an exercise's content shows in another language than the reader's:
`{% load exercise_languages %}{% untranslated_badge exercise %}` on staff pages, a small mark
naming the language shown instead. Reads no database."""

from django import template
from django.utils.translation import get_language_info

from ..languages import content_fallback, content_language, is_translated

register = template.Library()


@register.inclusion_tag("exercises/includes/untranslated_badge.html", takes_context=True)
def untranslated_badge(context, exercise):
    language = content_language()
    request = context.get("request")
    fallback = content_fallback(getattr(getattr(request, "user", None), "clinic", None))
    missing = language != fallback and not is_translated(exercise, language)
    return {
        "missing": missing,
        "fallback": fallback,
        "fallback_name": get_language_info(fallback)["name_translated"] if missing else "",
    }
