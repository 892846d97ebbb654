from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    QUEUED = "queued", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not sent")


class OutboxMessageQuerySet(models.QuerySet):
    def for_clinic(self, clinic):
        return self.filter(clinic=clinic)


class OutboxMessage(models.Model):
    """One email or device notification Rehabit sends, kept before it is sent and after. Its
    `key` names what it is for (who, what kind, about what, for which time slot, which device),
    so the same message asked for twice, by a task run twice or by two schedulers at once, is
    one row and goes out once. The body is made when it is sent, from `context`, which never
    holds a secret or health information."""

    key = models.CharField(_("key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=40)
    clinic = models.ForeignKey(
        "clinics.Clinic",
        verbose_name=_("clinic"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient = models.EmailField(_("to"))
    # How it goes out (outbox.channels): by email, or as a notification on one of the
    # recipient's devices, named in the context.
    channel = models.CharField(_("sent by"), max_length=10, default="email")
    # The recipient's language when it was asked for; the message is written in it.
    language = models.CharField(_("language"), max_length=8, default="en")
    context = models.JSONField(_("what the message is made from"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["clinic", "status", "created_at"], name="outbox_clinic_status_idx"
            ),
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values),
                name="outbox_status_valid",
                violation_error_message=_("Status must be waiting, being sent, sent or not sent."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient} ({self.get_status_display()})"
