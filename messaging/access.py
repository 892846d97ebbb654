from django.shortcuts import get_object_or_404

from clinics.models import User
from patients.models import Patient

from .models import Message


def own_message_in_conversation(*, patient: Patient, author: User, pk: int) -> Message:
    """One of `author`'s own messages in the patient's conversation, to correct; anyone else's
    message, or another conversation's, answers 404 alike."""
    return get_object_or_404(Message.objects.filter(patient=patient, author=author), pk=pk)
