"""The starter catalog's translations: `catalog/translations/<language>.json`, one file per
language, `{"version": 1, "language": "es", "exercises": {"<slug>": {...}}}`. Each exercise has
its name, summary, steps, cautions and contraindications (lists as long as the English, in the
same order), equipment, and its drawing's text alternatives: `figure_alt` for the moving picture
and `pose_alts` by pose name. The loader writes the texts; the pictures read the alternatives."""

import json
from functools import cache
from pathlib import Path

from .languages import TRANSLATED_LANGUAGES

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "catalog" / "translations"


@cache
def catalog_translations(language: str, directory: Path = TRANSLATIONS_DIR) -> dict[str, dict]:
    """The exercises of one language's file by slug; empty when there is no such file."""
    path = directory / f"{language}.json"
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("language") != language:
        raise ValueError(f"{path} says it is in {data.get('language')!r}, not {language!r}.")
    return data["exercises"]


def with_translations(entries: list[dict], *, directory: Path = TRANSLATIONS_DIR) -> list[dict]:
    """The catalog's entries, each with `translations` from the files there are."""
    by_language = {
        language: catalog_translations(language, directory) for language in TRANSLATED_LANGUAGES
    }
    return [
        {
            **entry,
            "translations": {
                language: exercises[entry["slug"]]
                for language, exercises in by_language.items()
                if entry["slug"] in exercises
            },
        }
        for entry in entries
    ]


def figure_alts(slug: str, language: str) -> dict[str, str]:
    """A drawing's text alternatives in one language: "motion" for the moving picture, then one
    per pose; empty where the files do not say."""
    exercise = catalog_translations(language).get(slug, {})
    alts = dict(exercise.get("pose_alts", {}))
    if exercise.get("figure_alt"):
        alts["motion"] = exercise["figure_alt"]
    return alts
