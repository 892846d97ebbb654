"""What the webhook pages read."""

from django.db.models import Count, Max, Q, QuerySet

from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

DELIVERY_PAGE_SIZE = 25


def endpoints_for_clinic(*, clinic) -> QuerySet[WebhookEndpoint]:
    """The clinic's webhooks, each with its failed deliveries counted and its latest delivery's
    time: one query however many webhooks or deliveries."""
    return WebhookEndpoint.objects.for_clinic(clinic).annotate(
        failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        last_delivery_at=Max("deliveries__created_at"),
    )


def deliveries_for_endpoint(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """The webhook's delivery log, newest first, without the bodies (the page shows what
    happened, not what was sent)."""
    return (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .defer("body")
        .order_by("-created_at", "-id")
    )
