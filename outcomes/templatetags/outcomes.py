"""Outcome measures on the patient's Today page, which belongs to an app below this one: the
page includes `outcomes/includes/today_psfs.html`, whose tag asks whether PSFS is due."""

from django import template

from ..selectors import psfs_due_for

register = template.Library()


@register.inclusion_tag("outcomes/includes/today_card.html")
def psfs_today_card(patient):
    return {"due": psfs_due_for(patient=patient)}
