"""The ways the outbox delivers a message. Email is the outbox's own; an app above adds another
(notifications on a person's devices) when it starts, as the apps that send add their kinds.

A sender delivers one message and returns what the person was shown (an email's subject, a
notification's title). It raises `Undeliverable` when no later try could succeed, and any other
error to be tried again later."""

from collections.abc import Callable

from django.core.mail import EmailMultiAlternatives

from . import kinds
from .models import OutboxMessage

EMAIL = "email"


class Undeliverable(Exception):
    """The message can never reach its recipient this way: it is given up at once."""


Sender = Callable[[OutboxMessage], str]
SENDERS: dict[str, Sender] = {}


def register(name: str, *, send: Sender) -> None:
    SENDERS[name] = send


def email_send(message: OutboxMessage) -> str:
    """The email is written now, from the message's kind and context, so a link in it is fresh
    and nothing secret is stored."""
    email = kinds.KINDS[message.kind].write(message)
    outgoing = EmailMultiAlternatives(
        email.subject, email.text, None, [message.recipient], headers=email.headers
    )
    if email.html:
        outgoing.attach_alternative(email.html, "text/html")
    outgoing.send()
    return email.subject


register(EMAIL, send=email_send)
