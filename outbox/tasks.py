"""The outbox's work for the task queue: sending one message, and the sweep that picks up what
the queue lost. Delivery is at least once on the queue's side; the outbox row makes each
message go out at most once."""

from crontask import cron
from django.tasks import task

from . import services


@task
def deliver(message_id: int) -> None:
    services.message_deliver(message_id=message_id)


@cron("* * * * *")
@task
def sweep() -> int:
    return services.messages_sweep()
