"""`manage.py summaries_rebuild [--clinic ID]`: work the patients' summaries out again from
their logs (`patients.summary`), after logs were written past the services (a bulk import)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from clinics.models import Clinic
from patients.models import PainDay, PatientSummary, SessionDayCount
from patients.summary import summaries_rebuild


class Command(BaseCommand):
    help = (
        "Throw away the patients' summaries and per-day session counts and work them out again "
        "from the session logs and pain reports: every clinic's, or one clinic's."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clinic", type=int, metavar="ID", help="Only this clinic's patients.")

    def handle(self, *args, **options):
        clinic = None
        if options["clinic"] is not None:
            clinic = Clinic.objects.filter(pk=options["clinic"]).first()
            if clinic is None:
                raise CommandError(f"No clinic with id {options['clinic']}.")
        summaries, day_counts = summaries_rebuild(clinic=clinic)
        # Fresh statistics for the rewritten tables, so the planner reads them by their keys.
        with connection.cursor() as cursor:
            for model in (PatientSummary, PainDay, SessionDayCount):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        where = f"clinic {clinic.pk} ({clinic.name})" if clinic else "every clinic"
        self.stdout.write(
            f"Rebuilt {summaries} patient summaries and {day_counts} day counts for {where}."
        )
