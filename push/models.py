from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a person wants to be told that something is waiting for them."""

    PUSH_ELSE_EMAIL = "push_else_email", _("Notifications on my devices, email when none is set up")
    BOTH = "both", _("Both notifications and email")
    EMAIL = "email", _("Email only")


class PushSubscriptionQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def for_clinic(self, clinic):
        return self.filter(user__clinic=clinic)


class PushSubscription(models.Model):
    """One browser on one device that agreed to show its person Rehabit's notifications. The
    endpoint is the push service's address for that browser; `p256dh` and `auth` are the
    browser's keys that encrypt each notification, so the push service cannot read it. The
    endpoint is unique: a browser shared by two people notifies whoever turned it on last."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
    )
    endpoint = models.URLField(_("push service address"), max_length=1000, unique=True)
    p256dh = models.CharField(_("browser's public key"), max_length=100)
    auth = models.CharField(_("browser's secret"), max_length=50)
    device = models.CharField(_("device"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("turned on"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last notified"), null=True, blank=True)

    objects = PushSubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("device with notifications")
        verbose_name_plural = _("devices with notifications")

    def __str__(self) -> str:
        return self.device or str(_("A browser"))

    def info(self) -> dict:
        """The subscription as the browser gave it, for the sender."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
