from django.db import migrations, models
from django.db.models.functions import Now


def thresholds_saved_from_trail(apps, schema_editor):
    """A clinic whose settings page was saved before the checklist existed has its thresholds
    saved already; the audit trail says which."""
    Clinic = apps.get_model("clinics", "Clinic")
    AuditEvent = apps.get_model("clinics", "AuditEvent")
    saved = (
        AuditEvent.objects.filter(action="clinic_settings_updated", clinic__isnull=False)
        .values_list("clinic_id", flat=True)
        .distinct()
    )
    Clinic.objects.filter(pk__in=saved).update(alert_thresholds_saved_at=Now())


class Migration(migrations.Migration):

    dependencies = [
        ('clinics', '0010_hash_recovery_codes'),
    ]

    operations = [
        migrations.AddField(
            model_name='clinic',
            name='alert_thresholds_saved_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='alert thresholds saved'),
        ),
        migrations.AddField(
            model_name='clinic',
            name='library_reviewed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='library looked at'),
        ),
        migrations.AddField(
            model_name='user',
            name='first_run_dismissed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='first-run checklist dismissed'),
        ),
        migrations.RunPython(thresholds_saved_from_trail, migrations.RunPython.noop),
    ]
