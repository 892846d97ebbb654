"""The server's VAPID keys: made by a command, read from the environment, and refused by the
system checks when they cannot work."""

import io
import os
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from push.checks import vapid_keys_check
from push.vapid import b64url_decode, public_key_of, vapid_keys, vapid_keys_generate


def lines_of(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines())


def test_the_command_prints_a_matching_pair_ready_for_the_environment():
    out = io.StringIO()
    call_command("vapid_keys", subject="mailto:admin@clinic.example", stdout=out)
    lines = lines_of(out.getvalue())
    assert list(lines) == [
        "REHABIT_VAPID_PUBLIC_KEY",
        "REHABIT_VAPID_PRIVATE_KEY",
        "REHABIT_VAPID_SUBJECT",
    ]
    public_key = b64url_decode(lines["REHABIT_VAPID_PUBLIC_KEY"])
    assert len(public_key) == 65 and public_key[0] == 4
    assert len(b64url_decode(lines["REHABIT_VAPID_PRIVATE_KEY"])) == 32
    assert public_key_of(lines["REHABIT_VAPID_PRIVATE_KEY"]) == lines["REHABIT_VAPID_PUBLIC_KEY"]
    assert lines["REHABIT_VAPID_SUBJECT"] == "mailto:admin@clinic.example"
    again = io.StringIO()
    call_command("vapid_keys", stdout=again)
    assert (
        lines_of(again.getvalue())["REHABIT_VAPID_PRIVATE_KEY"]
        != lines["REHABIT_VAPID_PRIVATE_KEY"]
    )


def test_the_command_writes_a_private_file_once(tmp_path):
    path = tmp_path / ".vapid-keys"
    call_command("vapid_keys", output=path, stdout=io.StringIO())
    first = path.read_text()
    assert "REHABIT_VAPID_PRIVATE_KEY=" in first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(CommandError, match="exists already"):
        call_command("vapid_keys", output=path, stdout=io.StringIO())
    assert path.read_text() == first


def test_a_subject_that_is_no_address_is_refused():
    with pytest.raises(CommandError):
        call_command("vapid_keys", subject="admin@clinic.example", stdout=io.StringIO())


def test_push_is_off_without_both_keys(settings):
    keys = vapid_keys_generate(subject="mailto:a@b.example")
    settings.REHABIT_VAPID_PUBLIC_KEY, settings.REHABIT_VAPID_PRIVATE_KEY = keys.public_key, ""
    assert vapid_keys() is None
    settings.REHABIT_VAPID_PRIVATE_KEY = keys.private_key
    settings.REHABIT_VAPID_SUBJECT = keys.subject
    assert vapid_keys() == keys


def test_the_checks_pass_keys_that_work_and_none(settings):
    assert vapid_keys_check(None) == []
    keys = vapid_keys_generate(subject="mailto:a@b.example")
    settings.REHABIT_VAPID_PUBLIC_KEY = keys.public_key
    settings.REHABIT_VAPID_PRIVATE_KEY = keys.private_key
    settings.REHABIT_VAPID_SUBJECT = keys.subject
    assert vapid_keys_check(None) == []


def test_the_checks_refuse_half_a_pair_keys_of_two_pairs_and_a_bad_subject(settings):
    one = vapid_keys_generate(subject="mailto:a@b.example")
    other = vapid_keys_generate(subject="mailto:a@b.example")
    settings.REHABIT_VAPID_PUBLIC_KEY, settings.REHABIT_VAPID_PRIVATE_KEY = one.public_key, ""
    assert [error.id for error in vapid_keys_check(None)] == ["push.E001"]
    settings.REHABIT_VAPID_PRIVATE_KEY = other.private_key
    settings.REHABIT_VAPID_SUBJECT = "admin@b.example"
    assert [error.id for error in vapid_keys_check(None)] == ["push.E002", "push.E003"]
    settings.REHABIT_VAPID_PRIVATE_KEY = "not a key"
    assert "push.E002" in [error.id for error in vapid_keys_check(None)]


def test_the_development_settings_read_the_demos_key_file(tmp_path):
    from config.settings.dev import vapid_from_file

    path = tmp_path / ".vapid-keys"
    assert vapid_from_file(path) == {}
    path.write_text("REHABIT_VAPID_PUBLIC_KEY=abc\nREHABIT_VAPID_SUBJECT=mailto:x@y.example\n\n")
    assert vapid_from_file(path) == {
        "REHABIT_VAPID_PUBLIC_KEY": "abc",
        "REHABIT_VAPID_SUBJECT": "mailto:x@y.example",
    }
