"""Asking for a message to be sent, and sending it: at most once per key, retried with backoff
when the mail server fails, and marked "not sent" for the clinic's admins after the last try."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from . import channels, kinds
from .models import OutboxMessage, Status

logger = logging.getLogger(__name__)

# Minutes to wait after each failed attempt; after the last, the message is marked not sent.
RETRY_MINUTES = (1, 5, 15, 60, 240)
MAX_ATTEMPTS = len(RETRY_MINUTES) + 1
# A worker that began sending and never said how it went (killed, or the machine stopped) gives
# up its claim after this; the message is then marked not sent rather than sent a second time.
SENDING_LEASE = datetime.timedelta(minutes=10)
ERROR_MAX_LENGTH = OutboxMessage._meta.get_field("last_error").max_length


class QueueUnavailable(Exception):
    """The task queue does not answer, so work cannot be handed on: the change that wanted to
    send something is refused whole rather than saved with its email never queued."""


def queue_check() -> None:
    """Make sure the queue answers before a change that will hand it work commits. The
    database queue is the database itself; a Redis queue is asked."""
    from .tasks import deliver

    backend = deliver.get_backend()
    if not type(backend).__module__.startswith("django_tasks_rq"):
        return
    import django_rq
    from redis.exceptions import RedisError

    try:
        django_rq.get_connection(deliver.queue_name).ping()
    except RedisError as error:
        raise QueueUnavailable(str(error)) from error


def message_enqueue(
    *,
    kind: str,
    key: str,
    recipient: str,
    language: str,
    clinic_id: int | None = None,
    context: dict | None = None,
    channel: str = channels.EMAIL,
) -> OutboxMessage:
    """The message for `key`, created if new and handed to a worker once the current
    transaction commits (a write that rolls back sends nothing). Asking again for the same key
    changes nothing and sends nothing more. `language` is the recipient's
    (clinics.languages.language_for): the worker writes the message in it."""
    if kind not in kinds.KINDS:
        raise ValueError(f"unknown message kind {kind!r}")
    if channel not in channels.SENDERS:
        raise ValueError(f"unknown channel {channel!r}")
    queue_check()
    message, created = OutboxMessage.objects.get_or_create(
        key=key[:200],
        defaults={
            "kind": kind,
            "recipient": recipient,
            "clinic_id": clinic_id,
            "language": language,
            "context": context or {},
            "channel": channel,
        },
    )
    if created:
        transaction.on_commit(lambda: _hand_to_worker(message.pk))
    return message


def _hand_to_worker(message_id: int, run_after: datetime.datetime | None = None) -> None:
    from .tasks import deliver

    if run_after is None:
        deliver.enqueue(message_id)
    elif deliver.get_backend().supports_defer:
        deliver.using(run_after=run_after).enqueue(message_id)
    # Otherwise the queue cannot wait: the sweep hands the message on once its time has come.


@transaction.atomic
def message_resend(*, message: OutboxMessage) -> OutboxMessage:
    """Try a message that was not sent once more, from the start."""
    message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
    if message.status != Status.FAILED:
        return message
    message.status = Status.QUEUED
    message.attempts = 0
    message.last_error = ""
    message.next_attempt_at = None
    message.sending_since = None
    message.save()
    transaction.on_commit(lambda: _hand_to_worker(message.pk))
    return message


def _claim(message_id: int) -> OutboxMessage | None:
    """Mark the message as being sent by this worker, unless it is sent, given up, or being
    sent by another right now. Committed before the mail server is asked, so a second worker
    never sends it too."""
    now = timezone.now()
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.status in (Status.SENT, Status.FAILED):
            return None
        if message.status == Status.SENDING:
            if message.sending_since and now - message.sending_since < SENDING_LEASE:
                return None
            # A worker stopped in the middle of sending: the email may or may not have left.
            message.status = Status.FAILED
            message.last_error = "Stopped while sending; check with the recipient, then resend."
            message.save(update_fields=["status", "last_error"])
            return None
        if message.next_attempt_at and message.next_attempt_at > now:
            return None
        message.status = Status.SENDING
        message.sending_since = now
        message.attempts += 1
        message.save(update_fields=["status", "sending_since", "attempts"])
        return message


def message_deliver(*, message_id: int) -> None:
    """Send one message, if it still needs sending, by its channel (channels.py)."""
    message = _claim(message_id)
    if message is None:
        return
    try:
        # The worker serves every recipient, so each message is written in its own reader's
        # language: words, dates and numbers alike.
        with translation.override(message.language or settings.LANGUAGE_CODE):
            shown = channels.SENDERS[message.channel](message)
    except channels.Undeliverable as error:
        logger.info("Outbox message %s cannot be delivered: %s", message.pk, error)
        message.status = Status.FAILED
        message.last_error = str(error)[:ERROR_MAX_LENGTH]
        message.next_attempt_at = None
        message.save(update_fields=["status", "last_error", "next_attempt_at"])
        return
    except Exception as error:
        logger.warning("Outbox message %s was not sent: %s", message.pk, error)
        _failed(message, error)
        return
    message.status = Status.SENT
    message.subject = " ".join(str(shown).split())[:200]
    message.sent_at = timezone.now()
    message.last_error = ""
    message.save(update_fields=["status", "subject", "sent_at", "last_error"])


def _failed(message: OutboxMessage, error: Exception) -> None:
    message.last_error = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = Status.FAILED
        message.next_attempt_at = None
        message.save(update_fields=["status", "last_error", "next_attempt_at"])
        return
    message.status = Status.QUEUED
    message.next_attempt_at = timezone.now() + datetime.timedelta(
        minutes=RETRY_MINUTES[message.attempts - 1]
    )
    message.save(update_fields=["status", "last_error", "next_attempt_at"])
    _hand_to_worker(message.pk, run_after=message.next_attempt_at)


# A message waits this long for its worker before the sweep hands it to one again.
SWEEP_AFTER = datetime.timedelta(minutes=2)


def messages_sweep() -> int:
    """Hand to a worker again the messages whose turn has come but that nobody took, in case
    the queue lost them (a worker that crashed, a queue that was emptied), and settle those a
    stopped worker left half sent. Returns how many were handed on."""
    now = timezone.now()
    due = OutboxMessage.objects.filter(
        Q(status=Status.QUEUED, next_attempt_at__isnull=True, created_at__lte=now - SWEEP_AFTER)
        | Q(status=Status.QUEUED, next_attempt_at__lte=now - SWEEP_AFTER)
        | Q(status=Status.SENDING, sending_since__lte=now - SENDING_LEASE)
    ).values_list("pk", flat=True)[:500]
    due = list(due)
    for message_id in due:
        _hand_to_worker(message_id)
    return len(due)
