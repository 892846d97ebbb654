import binascii

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channel
from .vapid import b64url_decode


def _key_bytes(value: str, *, length: int, message: str) -> bytes:
    try:
        key = b64url_decode(value)
    except (binascii.Error, ValueError):
        raise forms.ValidationError(message) from None
    if len(key) != length:
        raise forms.ValidationError(message)
    return key


class SubscriptionForm(forms.Form):
    """A browser's push subscription, as `PushSubscription.toJSON()` gives it (keys flattened)."""

    endpoint = forms.URLField(max_length=1000, assume_scheme="https")
    p256dh = forms.CharField(max_length=100)
    auth = forms.CharField(max_length=50)

    def clean_p256dh(self) -> str:
        value = self.cleaned_data["p256dh"]
        key = _key_bytes(
            value, length=65, message=_("The browser's key is not a P-256 public key.")
        )
        if key[0] != 4:
            raise forms.ValidationError(_("The browser's key is not a P-256 public key."))
        return value

    def clean_auth(self) -> str:
        value = self.cleaned_data["auth"]
        _key_bytes(value, length=16, message=_("The browser's secret is not 16 bytes."))
        return value


class ChannelForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How to tell you that something is waiting"),
        choices=Channel.choices,
        widget=forms.RadioSelect,
    )
