"""The scheduler's periodic work. Each run looks at what is due now; the outbox's keys make a
run that happens twice, or two schedulers at once, send each email once."""

from crontask import cron
from django.tasks import task

from . import services


@cron("*/5 * * * *")
@task
def escalate() -> int:
    return services.escalations_send()


@cron("* * * * *")
@task
def remind() -> int:
    return services.reminders_send()


@cron("* * * * *")
@task
def send_digests() -> int:
    return services.digests_send()
