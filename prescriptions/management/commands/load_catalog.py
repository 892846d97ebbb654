from django.core.management.base import BaseCommand

from prescriptions.catalog import starter_catalog_load


class Command(BaseCommand):
    help = "Load or update the shared starter catalog of exercises and templates (idempotent)."

    def handle(self, *args, **options):
        exercises, (templates_created, templates_unchanged) = starter_catalog_load()
        self.stdout.write(
            f"Exercises: {exercises.created} created, {exercises.updated} updated, "
            f"{exercises.unchanged} unchanged. Templates: {templates_created} created, "
            f"{templates_unchanged} unchanged."
        )
