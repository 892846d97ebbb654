"""Where an exercise's content shows in another language than the reader's:
`{% load exercise_languages %}{% untranslated_badge exercise %}` on staff pages, a small mark
naming the language shown instead. Reads no database."""

from django import template
from django.utils.translation import get_language_info

from ..languages import content_language, shown_language

register = template.Library()


@register.inclusion_tag("exercises/includes/untranslated_badge.html")
def untranslated_badge(exercise):
    shown = shown_language(exercise)
    missing = shown != content_language()
    return {
        "missing": missing,
        "fallback": shown,
        "fallback_name": get_language_info(shown)["name_translated"] if missing else "",
    }
