"""Writing to a patient's conversation with their care team, and marking it read.

Who may write: the patient, from their own sign-in, and any staff member of the patient's
clinic (the care team is whoever at the clinic opens the patient's messages). Nobody writes once
the patient is discharged: the conversation stays in the record, to read, but nobody at the
clinic is looking after the patient any more, so a patient's message could go unanswered.
Reactivating the patient opens it again.

A new message emails the other side that something is waiting: the patient when staff write,
the primary therapist (or, with none, the clinic's admins) when the patient writes. At most one
email per unread stretch: the outbox key names the first message the recipient has not read, so
further messages before they read add nothing, and reading starts a new stretch.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clinics import audit
from clinics.languages import language_for
from clinics.models import AuditAction, Role, User
from patients.models import Patient, PatientStatus
from push.services import notification_enqueue

from .emails import MESSAGE_WAITING
from .models import BODY_MAX_LENGTH, ConversationRead, Message


def _writer_may_write(*, patient: Patient, author: User) -> None:
    if not author.is_active:
        raise ValidationError(_("This account is switched off, so it cannot send messages."))
    is_the_patient = author.is_patient and patient.user_id == author.pk
    is_care_team = author.is_clinic_staff and author.clinic_id == patient.clinic_id
    if not (is_the_patient or is_care_team):
        raise ValidationError(
            _("Only the patient and the staff of their clinic can write in this conversation.")
        )
    if patient.status == PatientStatus.DISCHARGED:
        if is_the_patient:
            raise ValidationError(
                _(
                    "Messages closed when you were discharged. To reach your clinic, call or "
                    "email them."
                )
            )
        raise ValidationError(
            _("Messages closed when the patient was discharged. Reactivate them to write again.")
        )


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a message before sending it.")})
    if len(body) > BODY_MAX_LENGTH:
        raise ValidationError(
            {
                "body": _(
                    "A message can be at most %(limit)s characters; this one has %(length)s. "
                    "Shorten it, or send it as two messages."
                )
                % {"limit": f"{BODY_MAX_LENGTH:,}", "length": f"{len(body):,}"}
            }
        )
    return body


@transaction.atomic
def message_send(
    *,
    patient: Patient,
    author: User,
    body: str,
    base_url: str,
    corrects: Message | None = None,
) -> Message:
    """Add a message to the patient's conversation, or a correction of one of the author's own
    earlier messages, and tell the other side by email that something is waiting."""
    # The patient row is the conversation's lock: two messages at once are numbered, and
    # their notifications worked out, one after the other.
    patient = (
        Patient.objects.select_for_update(of=("self",))
        .select_related("clinic", "primary_therapist", "user")
        .get(pk=patient.pk)
    )
    _writer_may_write(patient=patient, author=author)
    body = _clean_body(body)
    if corrects is not None and (
        corrects.patient_id != patient.pk or corrects.author_id != author.pk
    ):
        raise ValidationError(
            {"corrects": _("You can only correct your own messages in this conversation.")}
        )
    message = Message(
        clinic=patient.clinic, patient=patient, author=author, body=body, corrects=corrects
    )
    message.full_clean()
    message.save()
    audit.record(
        action=AuditAction.MESSAGE_SENT,
        patient=patient,
        actor=author,
        summary=(
            _("Message #%(id)s, correcting message #%(corrected)s.")
            % {"id": message.pk, "corrected": corrects.pk}
            if corrects
            else _("Message #%(id)s.") % {"id": message.pk}
        ),
    )
    _read_up_to(patient=patient, reader=author, message=message)
    for recipient in _to_tell(patient=patient, author=author):
        _notify(patient=patient, recipient=recipient, base_url=base_url)
    return message


def _to_tell(*, patient: Patient, author: User) -> list[User]:
    if author.is_patient:
        therapist = patient.primary_therapist
        if therapist is not None and therapist.is_active:
            return [therapist]
        # With nobody assigned, a patient's message must still reach someone who can act.
        return list(
            User.objects.filter(
                clinic_id=patient.clinic_id, role=Role.CLINIC_ADMIN, is_active=True
            ).order_by("pk")
        )
    account = patient.user
    if account is not None and account.is_active:
        return [account]
    return []


def _notify(*, patient: Patient, recipient: User, base_url: str) -> None:
    first_unread = (
        Message.objects.filter(patient=patient)
        .exclude(author=recipient)
        .filter(pk__gt=_last_read_id(patient=patient, reader=recipient))
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if first_unread is None:
        return
    notification_enqueue(
        kind=MESSAGE_WAITING,
        key=f"message:{patient.pk}:{recipient.pk}:{first_unread}",
        person=recipient,
        language=language_for(recipient, clinic=patient.clinic),
        clinic_id=patient.clinic_id,
        context={"recipient_id": recipient.pk, "patient_id": patient.pk, "base_url": base_url},
    )


def _last_read_id(*, patient: Patient, reader: User) -> int:
    last = (
        ConversationRead.objects.filter(patient=patient, reader=reader)
        .values_list("last_read_message_id", flat=True)
        .first()
    )
    return last or 0


def _read_up_to(*, patient: Patient, reader: User, message: Message) -> None:
    moved = ConversationRead.objects.filter(
        Q(last_read_message_id__lt=message.pk), patient=patient, reader=reader
    ).update(last_read_message=message, read_at=timezone.now())
    if moved or ConversationRead.objects.filter(patient=patient, reader=reader).exists():
        return
    try:
        with transaction.atomic():
            ConversationRead.objects.create(
                patient=patient, reader=reader, last_read_message=message
            )
    except IntegrityError:
        # Another request of the same reader got there first; keep whichever is further on.
        ConversationRead.objects.filter(
            patient=patient, reader=reader, last_read_message_id__lt=message.pk
        ).update(last_read_message=message, read_at=timezone.now())


@transaction.atomic
def conversation_mark_read(*, patient: Patient, reader: User, up_to: Message) -> None:
    """Note that `reader` has seen the patient's conversation up to and including `up_to`.
    The mark only moves forward: an older page of the conversation leaves it where it is."""
    if up_to.patient_id != patient.pk:
        raise ValidationError(_("That message is not in this conversation."))
    _read_up_to(patient=patient, reader=reader, message=up_to)
