from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinics.querysets import ClinicOwnedQuerySet

BODY_MAX_LENGTH = 5000


class MessagesAreNeverChanged(Exception):
    """An attempt to change or delete a message: what was said stays said, and a mistake is put
    right by a correction that follows it."""


class MessageQuerySet(ClinicOwnedQuerySet):
    def update(self, **kwargs):
        raise MessagesAreNeverChanged("Messages cannot be changed; send a correction.")

    def delete(self):
        raise MessagesAreNeverChanged("Messages cannot be deleted; send a correction.")


class Message(models.Model):
    """One message in a patient's conversation with their care team. The conversation is the
    patient's: it belongs to their record, is exported with it and stays when they are
    discharged. A message is never changed or deleted (the model refuses, and on PostgreSQL a
    trigger refuses too); a later message may correct an earlier one by the same author."""

    clinic = models.ForeignKey(
        "clinics.Clinic", verbose_name=_("clinic"), on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        "patients.Patient",
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="messages",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(
        _("message"),
        max_length=BODY_MAX_LENGTH,
        validators=[ProhibitNullCharactersValidator()],
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, editable=False)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.CheckConstraint(
                condition=~Q(body=""),
                name="message_body_not_blank",
                violation_error_message=_("A message needs some text."),
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), BODY_MAX_LENGTH),
                name="message_body_max_length",
                violation_error_message=_("A message can be at most 5,000 characters."),
            ),
        ]
        indexes = [
            # Unread counts read a conversation's messages after the reader's last one.
            models.Index(fields=["patient", "id"], name="message_patient_id_idx"),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} in the conversation of patient {self.patient_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise MessagesAreNeverChanged("Messages cannot be changed; send a correction.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise MessagesAreNeverChanged("Messages cannot be deleted; send a correction.")

    def clean(self) -> None:
        super().clean()
        if self.corrects_id is not None and self.corrects.patient_id != self.patient_id:
            raise ValidationError(
                {"corrects": _("A correction belongs to the conversation of what it corrects.")}
            )


class ConversationRead(models.Model):
    """How far one person has read a patient's conversation: every message up to and including
    `last_read_message`. Messages after it, written by someone else, are unread for them."""

    patient = models.ForeignKey(
        "patients.Patient",
        verbose_name=_("patient"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_read_message = models.ForeignKey(
        Message, verbose_name=_("read up to"), on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    class Meta:
        verbose_name = _("conversation read")
        verbose_name_plural = _("conversations read")
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "reader"],
                name="conversation_read_once_per_reader",
                violation_error_message=_("Each person reads a conversation up to one point."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reader_id} read patient {self.patient_id} up to {self.last_read_message_id}"
