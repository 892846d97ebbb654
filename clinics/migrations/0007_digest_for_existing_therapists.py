"""Therapists who were already working here when the daily digest arrived get it at 07:30,
as new therapists do; each can change the time or turn it off on their Emails page."""

import datetime

from django.db import migrations

DIGEST_AT = datetime.time(7, 30)


def digest_on(apps, schema_editor):
    User = apps.get_model("clinics", "User")
    User.objects.filter(role="therapist", is_active=True, digest_at__isnull=True).update(
        digest_at=DIGEST_AT
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clinics", "0006_audit_messages"),
    ]

    operations = [
        migrations.RunPython(digest_on, migrations.RunPython.noop),
    ]
