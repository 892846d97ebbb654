from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clinics.models import AccessPurpose, Role
from clinics.services import (
    ACCESS_LINK_LIFETIME,
    access_link_issue,
    access_link_url,
    clinic_create,
    user_create,
)


class Command(BaseCommand):
    help = (
        "Create a clinic with its first clinic admin and print the admin's invitation link "
        "(valid for 7 days). The admin chooses a password through the link, then invites "
        "everyone else from the Staff page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The clinic's name.")
        parser.add_argument("--admin-email", required=True, help="The first admin's email.")
        parser.add_argument("--admin-name", required=True, help="The first admin's full name.")
        parser.add_argument(
            "--time-zone", default="UTC", help="The clinic's time zone, e.g. Europe/London."
        )
        parser.add_argument(
            "--base-url",
            required=True,
            help="The site's public address, e.g. https://rehab.example.org/",
        )

    def handle(self, *args, **options):
        base_url = options["base_url"]
        if not base_url.startswith(("https://", "http://")):
            raise CommandError("--base-url must start with https:// (or http:// for a test).")
        try:
            # One transaction: a refused admin leaves no clinic without one behind.
            with transaction.atomic():
                clinic = clinic_create(name=options["name"], time_zone=options["time_zone"])
                admin = user_create(
                    clinic=clinic,
                    email=options["admin_email"],
                    full_name=options["admin_name"],
                    role=Role.CLINIC_ADMIN,
                    password=None,
                )
                token = access_link_issue(user=admin, purpose=AccessPurpose.INVITATION)
        except ValidationError as error:
            raise CommandError(f"Nothing was created: {'; '.join(error.messages)}") from error
        link = access_link_url(token=token, purpose=AccessPurpose.INVITATION, base_url=base_url)
        days = ACCESS_LINK_LIFETIME[AccessPurpose.INVITATION].days
        self.stdout.write(self.style.SUCCESS(f"Created {clinic.name} and its admin {admin.email}."))
        self.stdout.write(
            f"Give this link to {admin.full_name} to choose a password (it works once, for "
            f"{days} days; this command does not email it):"
        )
        self.stdout.write(link)
