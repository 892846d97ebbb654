from django.shortcuts import get_object_or_404

from clinics.models import ApiKey, User
from outbox.models import OutboxMessage


def outbox_message_for_admin(*, user: User, pk: int) -> OutboxMessage:
    """One of the admin's clinic's emails; another clinic's answers 404 alike."""
    return get_object_or_404(OutboxMessage.objects.for_clinic(user.clinic), pk=pk)


def api_key_for_admin(*, user: User, pk: int) -> ApiKey:
    """One of the admin's clinic's API keys; another clinic's answers 404 alike."""
    return get_object_or_404(ApiKey.objects.for_clinic(user.clinic), pk=pk)
