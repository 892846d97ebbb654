"""The scheduler's periodic work for outcome measures. The outbox's keys make a run that
happens twice, or two schedulers at once, ask each patient once per due date."""

from crontask import cron
from django.tasks import task

from . import services


@cron("0 * * * *")
@task
def remind_outcomes() -> int:
    return services.psfs_reminders_send()
