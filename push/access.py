"""Subscriptions are personal: each lookup is scoped to the person asking, and another person's
answers 404 alike with one that does not exist."""

from django.shortcuts import get_object_or_404

from .models import PushSubscription


def subscription_for_owner(*, user, pk: int) -> PushSubscription:
    return get_object_or_404(PushSubscription.objects.for_user(user), pk=pk)


def subscription_for_owner_by_endpoint(*, user, endpoint: str) -> PushSubscription:
    return get_object_or_404(PushSubscription.objects.for_user(user), endpoint=endpoint)
