import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from push.vapid import vapid_keys_generate


class Command(BaseCommand):
    help = (
        "Make a new pair of VAPID keys for notifications on devices and print the three "
        "environment lines to set (REHABIT_VAPID_PUBLIC_KEY, REHABIT_VAPID_PRIVATE_KEY, "
        "REHABIT_VAPID_SUBJECT). Changing the keys later turns every device's notifications off "
        "until its person turns them on again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--subject",
            default=settings.REHABIT_VAPID_SUBJECT,
            help="How push services can reach you: mailto:you@clinic.example or an https: page.",
        )
        parser.add_argument(
            "--output",
            type=Path,
            help="Write the lines to this new file (readable by you only) instead of printing.",
        )

    def handle(self, *args, subject: str, output: Path | None, **options):
        if not subject.startswith(("mailto:", "https://")):
            raise CommandError("The subject must start with mailto: or https://.")
        keys = vapid_keys_generate(subject=subject)
        lines = (
            f"REHABIT_VAPID_PUBLIC_KEY={keys.public_key}\n"
            f"REHABIT_VAPID_PRIVATE_KEY={keys.private_key}\n"
            f"REHABIT_VAPID_SUBJECT={keys.subject}\n"
        )
        if output is None:
            self.stdout.write(lines, ending="")
            return
        try:
            descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{output} exists already; its keys are kept.") from None
        with os.fdopen(descriptor, "w") as file:
            file.write(lines)
        self.stdout.write(f"VAPID keys written to {output}.")
