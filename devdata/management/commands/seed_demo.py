from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clinics.models import Role
from devdata.demo import (
    DEMO_ADMIN_EMAIL,
    DEMO_API_KEY,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_RECOVERY_CODES,
    DEMO_TWO_FACTOR_KEY,
    demo_seed,
)


class Command(BaseCommand):
    help = (
        "Create two demo clinics with staff, patients and four weeks of sessions, and print "
        "their logins. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even though DEBUG is off. The demo accounts share a published password.",
        )

    def handle(self, *args, allow_production: bool = False, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                "DEBUG is off, so this looks like a production site, and the demo accounts "
                "all share a published password. Run with --allow-production if you really "
                "want demo data here."
            )
        try:
            result = demo_seed()
        except ValidationError as error:
            raise CommandError(f"Demo data not created, nothing was changed: {error}") from error
        for name in result.created:
            self.stdout.write(self.style.SUCCESS(f"{name}: created."))
        for name in result.already_present:
            self.stdout.write(f"{name}: already present, left as it is.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD})")
        width = max(len(login.email) for login in DEMO_LOGINS)
        clinic = None
        for login in DEMO_LOGINS:
            if login.clinic != clinic:
                clinic = login.clinic
                self.stdout.write(f"  {clinic}")
            self.stdout.write(f"    {login.email:<{width}}  {Role(login.role).label}")
        self.stdout.write("")
        self.stdout.write(
            f"{DEMO_ADMIN_EMAIL} signs in with two steps: after the password, type the code of "
            f"an authenticator app set up with the key {DEMO_TWO_FACTOR_KEY}, or a recovery "
            f"code ({', '.join(DEMO_RECOVERY_CODES[:3])} … {DEMO_RECOVERY_CODES[-1]}; each "
            "works once)."
        )
        self.stdout.write("")
        self.stdout.write(
            f"The demo clinic's API key (read and write): {DEMO_API_KEY} — send it as "
            "'Authorization: Bearer …'; the reference is at /api/docs/."
        )
