"""Whole-number limits defined once: the model field's validators, its form field, and the
database CHECK constraint all come from the same `Limit`, with the same message."""

from dataclasses import dataclass

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class LimitedIntegerField(models.PositiveSmallIntegerField):
    """A small whole number whose form field checks the limit with the limit's own message,
    instead of Django's generic "greater than or equal to 0" for a negative number."""

    def formfield(self, **kwargs):
        lows = [v.limit_value for v in self.validators if isinstance(v, MinValueValidator)]
        highs = [v.limit_value for v in self.validators if isinstance(v, MaxValueValidator)]
        kwargs.setdefault("min_value", max(lows))
        kwargs.setdefault("max_value", min(highs))
        field = super().formfield(**kwargs)
        # The model's validators (run by the form's full_clean) carry the limit's message.
        field.validators = [
            v for v in field.validators if not isinstance(v, MinValueValidator | MaxValueValidator)
        ]
        return field


@dataclass(frozen=True)
class Limit:
    label: str
    minimum: int
    maximum: int
    # Above this (and up to the maximum) a value is allowed but unusual enough to warn about.
    usual_maximum: int | None = None

    @property
    def message(self):
        return format_lazy(
            _("{label} must be a whole number from {minimum} to {maximum}."),
            label=self.label,
            minimum=self.minimum,
            maximum=self.maximum,
        )

    def validators(self) -> list:
        return [
            MinValueValidator(self.minimum, message=self.message),
            MaxValueValidator(self.maximum, message=self.message),
        ]

    def form_field(self, label, **kwargs) -> forms.IntegerField:
        """A plain form's field for this limit, with the limit's message for any bad value."""
        return forms.IntegerField(
            label=label,
            min_value=self.minimum,
            max_value=self.maximum,
            error_messages={
                "invalid": self.message,
                "min_value": self.message,
                "max_value": self.message,
            },
            **kwargs,
        )

    def field(self, verbose_name, **kwargs) -> "LimitedIntegerField":
        kwargs.setdefault("help_text", self.help_text)
        return LimitedIntegerField(verbose_name, validators=self.validators(), **kwargs)

    @property
    def help_text(self):
        if self.usual_maximum in (None, self.maximum):
            return format_lazy(
                _("{minimum} to {maximum}."), minimum=self.minimum, maximum=self.maximum
            )
        return format_lazy(
            _("Usually {minimum} to {usual}; at most {maximum}."),
            minimum=self.minimum,
            usual=self.usual_maximum,
            maximum=self.maximum,
        )

    def constraint(self, field_name: str, name: str) -> models.CheckConstraint:
        return models.CheckConstraint(
            condition=Q(**{f"{field_name}__gte": self.minimum, f"{field_name}__lte": self.maximum}),
            name=name,
            violation_error_message=self.message,
        )
