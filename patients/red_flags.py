"""Low back pain red flags (NICE CKS / NHS guidance), as DOMAIN.md lists them."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    NONE = "", _("None")
    URGENT = "urgent", _("Urgent: contact a doctor today")
    EMERGENCY = "emergency", _("Emergency: go to the emergency department now")


@dataclass(frozen=True)
class RedFlag:
    code: str
    question: str
    severity: Severity


RED_FLAGS = [
    RedFlag(
        "saddle_numbness",
        _("Numbness or tingling around the genitals, buttocks or inner thighs"),
        Severity.EMERGENCY,
    ),
    RedFlag(
        "bladder_bowel",
        _("New trouble passing urine, or losing control of your bladder or bowels"),
        Severity.EMERGENCY,
    ),
    RedFlag(
        "both_legs_weak",
        _("Weakness or numbness in both legs, or getting worse"),
        Severity.EMERGENCY,
    ),
    RedFlag("both_legs_pain", _("Pain going down both legs"), Severity.EMERGENCY),
    RedFlag(
        "fever", _("A fever, or feeling generally unwell, with your back pain"), Severity.URGENT
    ),
    RedFlag("weight_loss", _("Weight loss you cannot explain"), Severity.URGENT),
    RedFlag("night_pain", _("Pain that is worse at night"), Severity.URGENT),
    RedFlag("injury", _("A fall or an injury before the pain started"), Severity.URGENT),
]
RED_FLAGS_BY_CODE = {flag.code: flag for flag in RED_FLAGS}
RED_FLAG_CHOICES = [(flag.code, flag.question) for flag in RED_FLAGS]


def severity_of(codes) -> Severity:
    severities = {RED_FLAGS_BY_CODE[code].severity for code in codes}
    if Severity.EMERGENCY in severities:
        return Severity.EMERGENCY
    if Severity.URGENT in severities:
        return Severity.URGENT
    return Severity.NONE
