from django.shortcuts import get_object_or_404

from .models import WebhookDelivery, WebhookEndpoint


def endpoint_for_admin(*, user, pk: int) -> WebhookEndpoint:
    """One of the admin's clinic's webhooks; another clinic's answers 404 alike."""
    return get_object_or_404(WebhookEndpoint.objects.for_clinic(user.clinic), pk=pk)


def delivery_for_admin(*, user, endpoint_pk: int, pk: int) -> WebhookDelivery:
    """A delivery of one of the admin's clinic's webhooks, reached through that webhook."""
    return get_object_or_404(
        WebhookDelivery.objects.filter(endpoint__clinic_id=user.clinic_id, endpoint_id=endpoint_pk),
        pk=pk,
    )
