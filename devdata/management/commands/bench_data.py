"""`manage.py bench_data`: the large clinic the benchmark (`bench/run.py`) measures.

The clinic, its staff, patients and plans are created through the app's services; the year of
session logs, their entries and the pain reports are written with `bulk_create` in batches of
2,000, since a service call per session would take far too long for a few hundred thousand rows
(see `devdata/bench.py` for what each row holds and why it matches what the services store).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devdata.bench import (
    BENCH_PASSWORD,
    BenchSize,
    BenchSizeMismatch,
    bench_data_build,
    bench_logins_enable,
)


class Command(BaseCommand):
    help = (
        "Build (once per seed) a benchmark clinic of the given size with a realistic history of "
        "home sessions and pain reports, and print the bench therapist's login."
    )

    def add_arguments(self, parser):
        parser.add_argument("--patients", type=int, default=300, help="Patients (default 300).")
        parser.add_argument(
            "--days", type=int, default=365, help="Days of history up to today (default 365)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--patient-logins",
            type=int,
            default=0,
            metavar="N",
            help=(
                "Give the bench password to every therapist and to N active patients, for the "
                "load test (bench/load.py). Default 0: only the bench therapist and admin."
            ),
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Build even though DEBUG is off. The bench accounts share a published password.",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "DEBUG is off, so this looks like a production site, and the bench accounts "
                "share a published password. Run with --allow-production if you really want "
                "benchmark data here."
            )
        if not 1 <= options["patients"] <= 100_000:
            raise CommandError("--patients must be between 1 and 100000.")
        if not 1 <= options["days"] <= 3650:
            raise CommandError("--days must be between 1 and 3650.")
        if options["patient_logins"] < 0:
            raise CommandError("--patient-logins cannot be negative.")
        size = BenchSize(options["patients"], options["days"], options["seed"])
        try:
            result = bench_data_build(size=size, log=self.stdout.write)
        except BenchSizeMismatch as mismatch:
            raise CommandError(
                f"{mismatch.clinic.name} is already there, built at another size: "
                f"{mismatch.clinic.address} Its audit trail cannot be deleted, so build "
                f"{size.patients} patients × {size.days} days with another --seed, or in a "
                f"fresh database."
            ) from mismatch
        except ValidationError as error:
            raise CommandError(f"Bench data not created, nothing was changed: {error}") from error

        # Refresh the planner's statistics after a bulk load, as autovacuum would in time (and
        # never, where it is turned off): without them the database guesses the log tables are
        # small and plans whole-table scans.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

        if options["patient_logins"]:
            patients = bench_logins_enable(clinic=result.clinic, patients=options["patient_logins"])
            self.stdout.write(
                f"Sign-in with the bench password: every therapist and {len(patients)} patients "
                f"({patients[0].email if patients else 'none'} …)."
            )

        if result.status == "present":
            self.stdout.write(f"{result.clinic.name} is already there, unchanged. {size.label}")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{result.clinic.name} {result.status} in {result.seconds:.1f} s "
                    f"on {connection.display_name}."
                )
            )
        width = max(len(name) for name in result.counts)
        for name, count in result.counts.items():
            self.stdout.write(f"  {name:<{width}}  {count:>9,}")
        self.stdout.write("")
        self.stdout.write("Bench therapist login:")
        self.stdout.write(f"  email     {size.therapist_email}")
        self.stdout.write(f"  password  {BENCH_PASSWORD}")
