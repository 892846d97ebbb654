"""Recovery codes made before they were stored hashed: replace each plain one (10 characters,
as typed without the dash) with its hash, so the codes people have printed keep working."""

import base64

from django.db import migrations
from django.utils.crypto import salted_hmac

# As clinics.services.recovery_code_hash was when this was written.
HASH_LENGTH = 16


def recovery_code_hash(code: str) -> str:
    code = "".join(code.split()).replace("-", "").lower()
    digest = salted_hmac("rehabit.recovery-code", code, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode()[:HASH_LENGTH]


def hash_plain_codes(apps, schema_editor):
    StaticToken = apps.get_model("otp_static", "StaticToken")
    for token in StaticToken.objects.exclude(token__regex=rf"^.{{{HASH_LENGTH}}}$"):
        token.token = recovery_code_hash(token.token)
        token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("clinics", "0009_unlock_links"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [
        migrations.RunPython(hash_plain_codes, migrations.RunPython.noop, elidable=True),
    ]
