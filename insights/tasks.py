"""The scheduler's periodic work for the caseload: each patient's triage row as of their
clinic's day, worked out soon after the clinic's midnight (and whatever a write left out of
date), so the first caseload opened in the morning does not do it."""

from crontask import cron
from django.tasks import task

from . import services


@cron("*/15 * * * *")
@task
def refresh_triage() -> int:
    return services.caseload_triage_refresh_all()
