"""Delivery by real workers: the database queue's `db_worker`, and RQ over the machine's Redis
with a real `rqworker` process, each taking a message from the queue to the mail server."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.core.management import call_command
from django.db import connection

from clinics.models import AccessLink
from clinics.services import user_invite
from outbox import kinds
from outbox.models import OutboxMessage, Status
from outbox.services import message_enqueue
from tests.clinics.factories import ClinicAdminFactory, TherapistFactory

ROOT = Path(__file__).resolve().parents[2]
# A Redis database of its own, so a test run never meets an installation's jobs.
TEST_REDIS_URL = os.environ.get("REHABIT_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


@pytest.fixture(autouse=True)
def test_kind():
    kinds.register(
        "test_note",
        label="Test note",
        write=lambda message: kinds.Email(subject="A note", text=message.context["text"]),
    )
    yield
    del kinds.KINDS["test_note"]


def ask(key):
    return message_enqueue(
        kind="test_note",
        key=key,
        recipient="someone@example.com",
        language="en",
        context={"text": "Hello"},
    )


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_sends_what_was_queued(settings, mailoutbox):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    message = ask("db:1")  # no transaction around it: handed to the queue at once
    assert mailoutbox == []
    call_command("db_worker", batch=True, verbosity=0)
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert [sent.body for sent in mailoutbox] == ["Hello"]


@pytest.fixture
def real_redis():
    """The machine's Redis, emptied of this test database's jobs; unreachable is a failure,
    never a skip: CI must run the RQ path."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:
        pytest.fail(f"Redis is not answering at {TEST_REDIS_URL}: {error}", pytrace=False)
    client.flushdb()
    yield client
    client.flushdb()


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="the worker process cannot open an in-memory database"
)
@pytest.mark.django_db(transaction=True)
def test_an_rq_worker_process_sends_what_was_queued_on_redis(settings, real_redis):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": TEST_REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    # A kind the worker process knows too: an invitation, whose link the worker makes.
    admin = ClinicAdminFactory()
    member = TherapistFactory(clinic=admin.clinic)
    user_invite(user=member, invited_by=admin, base_url="http://testserver/")
    message = OutboxMessage.objects.get(kind="invitation")
    assert real_redis.keys("rq:queue:*"), "nothing was queued on Redis"
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "REHABIT_TASKS": "rq",
        "REDIS_URL": TEST_REDIS_URL,
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
    }
    worker = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "rqworker",
            "default",
            "--burst",
            "--job-class",
            "django_tasks_rq.Job",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stdout + worker.stderr
    message.refresh_from_db()
    assert message.status == Status.SENT, (message.last_error, worker.stderr[-2000:])
    assert AccessLink.objects.filter(user=member, revoked_at__isnull=True).count() == 1
