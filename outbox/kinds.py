"""The kinds of message the outbox sends, and how each is written.

The apps that send register their kinds when they start (`AppConfig.ready`): a label for the
clinic admin's outbox page and a function that writes the email from the message's context
when it is sent. The outbox knows no kind itself, so it sits below every app that sends."""

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
class Kind:
    label: str
    write: Callable[[OutboxMessage], Email]


KINDS: dict[str, Kind] = {}


def register(name: str, *, label: str, write: Callable[[OutboxMessage], Email]) -> None:
    KINDS[name] = Kind(label=label, write=write)


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
