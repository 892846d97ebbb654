"""The kinds of message the outbox sends, and how each is written.

The apps that send register their kinds when they start (`AppConfig.ready`): a label for the
clinic admin's outbox page, a function that writes the email from the message's context
when it is sent and, where the kind may go to a person's devices, one that writes the
notification. The outbox knows no kind itself, so it sits below every app that sends."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from .models import OutboxMessage


@dataclass(frozen=True)
class Email:
    subject: str
    text: str
    html: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Push:
    """What a notification on a person's device shows. Lock screens are not private, so it says
    only what kind of thing is waiting and where (`url`, a path on the site): no health
    information, no name. `ttl` is how many seconds the push service keeps it for a device
    that is switched off; `tag` makes a newer notification of the same tag replace the older."""

    title: str
    body: str
    url: str
    tag: str
    ttl: int
    urgency: str = "normal"

    def payload(self) -> dict[str, str]:
        return {"title": str(self.title), "body": str(self.body), "url": self.url, "tag": self.tag}


@dataclass(frozen=True)
class Kind:
    label: str
    write: Callable[[OutboxMessage], Email]
    push: Callable[[OutboxMessage], Push] | None = None


KINDS: dict[str, Kind] = {}


def register(
    name: str,
    *,
    label: str,
    write: Callable[[OutboxMessage], Email],
    push: Callable[[OutboxMessage], Push] | None = None,
) -> None:
    """A kind of message: its label, how its email is written and, for a kind that may also
    reach a person as a notification on their devices, how that notification is written."""
    KINDS[name] = Kind(label=label, write=write, push=push)


def label_of(name: str) -> str:
    kind = KINDS.get(name)
    return str(kind.label) if kind else name


def email_from_templates(
    template: str, *, subject: str, context: dict, headers: dict[str, str] | None = None
) -> Email:
    """An email from `<template>.txt` and, when it exists, `<template>.html`."""
    text = render_to_string(f"{template}.txt", context)
    try:
        html = render_to_string(f"{template}.html", context)
    except TemplateDoesNotExist:
        html = ""
    return Email(
        subject=" ".join(str(subject).split()), text=text, html=html, headers=headers or {}
    )
