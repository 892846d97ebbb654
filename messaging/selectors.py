"""Reads of a patient's conversation: one page of it with who wrote what, and how many
messages someone has not read yet (for one patient, for the navigation, or as an annotation on
a list of patients). Each in a fixed number of queries, however long the conversation."""

from dataclasses import dataclass, field

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from clinics.models import User
from patients.models import Patient

from .models import ConversationRead, Message

PAGE_SIZE = 30


def _last_read(*, reader: User, patient_ref) -> Subquery:
    return Subquery(
        ConversationRead.objects.filter(patient=patient_ref, reader=reader).values(
            "last_read_message_id"
        )[:1],
        output_field=IntegerField(),
    )


def unread_messages_subquery(*, reader: User, patient_ref: str = "pk") -> Coalesce:
    """How many messages of the outer query's patient `reader` has not read: those after their
    last read one, written by someone else. An annotation for a queryset of patients."""
    unread = (
        Message.objects.filter(patient=OuterRef(patient_ref))
        .exclude(author=reader)
        .filter(pk__gt=Coalesce(_last_read(reader=reader, patient_ref=OuterRef("patient")), 0))
        .order_by()
        .values("patient")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))


def unread_count(*, patient: Patient, reader: User) -> int:
    """How many of the patient's messages `reader` has not read. One query."""
    return (
        Message.objects.filter(patient=patient)
        .exclude(author=reader)
        .filter(pk__gt=Coalesce(_last_read(reader=reader, patient_ref=patient.pk), 0))
        .count()
    )


def unread_total(*, reader: User, patient_ids: list[int]) -> int:
    """How many messages of these patients `reader` has not read, all together. One query."""
    if not patient_ids:
        return 0
    return (
        Message.objects.filter(patient_id__in=patient_ids)
        .exclude(author=reader)
        .filter(pk__gt=Coalesce(_last_read(reader=reader, patient_ref=OuterRef("patient")), 0))
        .count()
    )


def unread_count_for_patient_account(*, user: User) -> int:
    """How many messages from their care team a signed-in patient has not read. One query."""
    return (
        Message.objects.filter(patient__user=user)
        .exclude(author=user)
        .filter(pk__gt=Coalesce(_last_read(reader=user, patient_ref=OuterRef("patient")), 0))
        .count()
    )


@dataclass
class Conversation:
    patient: Patient
    # Oldest first, as they are read: the newest at the bottom, beside the form.
    entries: list[Message] = field(default_factory=list)
    # Where the reader had read up to before this visit: later messages from others are new.
    last_read_id: int = 0
    earlier_before: int | None = None
    is_latest: bool = True

    @property
    def newest(self) -> Message | None:
        return self.entries[-1] if self.entries else None

    @property
    def first_unread_id(self) -> int | None:
        for message in self.entries:
            if message.pk > self.last_read_id and not message.is_by_reader:
                return message.pk
        return None


def conversation_page(
    *, patient: Patient, reader: User, before: int | None = None, size: int = PAGE_SIZE
) -> Conversation:
    """The latest `size` messages of the patient's conversation (or those before message
    `before`), each with its author, what it corrects and whether a later one corrects it.
    Two queries whatever the length of the conversation."""
    last_read_id = (
        ConversationRead.objects.filter(patient=patient, reader=reader)
        .values_list("last_read_message_id", flat=True)
        .first()
    ) or 0
    messages = (
        Message.objects.filter(patient=patient)
        .select_related("author", "corrects", "corrects__author")
        .annotate(
            corrected_by_id=Subquery(
                Message.objects.filter(corrects=OuterRef("pk")).order_by("-pk").values("pk")[:1]
            )
        )
        .order_by("-pk")
    )
    if before is not None:
        messages = messages.filter(pk__lt=before)
    newest_first = list(messages[: size + 1])
    more = len(newest_first) > size
    entries = newest_first[:size][::-1]
    shown = {message.pk for message in entries}
    for message in entries:
        message.is_by_reader = message.author_id == reader.pk
        message.correction_shown = message.corrected_by_id in shown
    return Conversation(
        patient=patient,
        entries=entries,
        last_read_id=last_read_id,
        earlier_before=entries[0].pk if more and entries else None,
        is_latest=before is None,
    )


def messages_for_record() -> QuerySet[Message]:
    """Every message of a conversation, oldest first, with its author: for prefetching into a
    patient's exported record."""
    return Message.objects.select_related("author").order_by("created_at", "id")
