"""The worker's side of webhooks: one attempt at one delivery, and the scheduler's sweep that
makes the retries whose time has come."""

from crontask import cron
from django.tasks import task

from . import services


@task
def deliver(delivery_id: int) -> None:
    services.delivery_attempt(delivery_id=delivery_id)


@cron("* * * * *")
@task
def sweep() -> int:
    return services.deliveries_sweep()
