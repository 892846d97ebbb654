from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clinics", "0008_audit_reads"),
    ]

    operations = [
        migrations.AlterField(
            model_name="accesslink",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("invitation", "Invitation"),
                    ("sign_in", "Sign-in link"),
                    ("unlock", "Unlock link"),
                ],
                max_length=20,
                verbose_name="purpose",
            ),
        ),
    ]
