from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Coalesce

EXERCISE_FIELDS = ("name", "summary", "cautions", "contraindications", "equipment")


def to_english(apps, schema_editor):
    """Everything written before content had languages was written in English."""
    Exercise = apps.get_model("exercises", "Exercise")
    ExerciseStep = apps.get_model("exercises", "ExerciseStep")
    Exercise.objects.update(**{f"{field}_en": F(field) for field in EXERCISE_FIELDS})
    ExerciseStep.objects.update(text_en=F("text"))


def from_english(apps, schema_editor):
    Exercise = apps.get_model("exercises", "Exercise")
    ExerciseStep = apps.get_model("exercises", "ExerciseStep")
    Exercise.objects.exclude(name_en=None).update(
        **{field: Coalesce(F(f"{field}_en"), Value("")) for field in EXERCISE_FIELDS}
    )
    ExerciseStep.objects.exclude(text_en=None).update(text=F("text_en"))


class Migration(migrations.Migration):

    dependencies = [
        ("exercises", "0004_translated_content"),
    ]

    operations = [
        migrations.RunPython(to_english, from_english),
    ]
