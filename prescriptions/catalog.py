import json
from pathlib import Path

from django.db import transaction

from exercises.catalog_translations import with_translations
from exercises.services import LoadResult, shared_exercises_load

from .services import shared_templates_load

STARTER_CATALOG = Path(__file__).resolve().parent.parent / "exercises" / "catalog" / "starter.json"


@transaction.atomic
def starter_catalog_load(path: Path = STARTER_CATALOG) -> tuple[LoadResult, tuple[int, int]]:
    """The shared exercises and templates every clinic starts with, loaded in one transaction,
    with the exercises' translations from `translations/<language>.json` beside the file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    entries = with_translations(data["exercises"], directory=path.parent / "translations")
    exercises = shared_exercises_load(entries=entries)
    templates = shared_templates_load(entries=data.get("templates", []))
    return exercises, templates
