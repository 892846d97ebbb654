from django import forms
from django.utils.translation import gettext_lazy as _

from . import schedule


class WeekdaysField(forms.TypedMultipleChoiceField):
    """Weekday checkboxes in the form, a 7-bit mask in the model."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Days of the week"))
        kwargs.setdefault("error_messages", {"required": _("Choose at least one day of the week.")})
        kwargs.pop("max_value", None)
        kwargs.pop("min_value", None)
        kwargs.pop("step_size", None)
        super().__init__(choices=schedule.WEEKDAY_CHOICES, coerce=int, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return [str(day) for day in schedule.days_from_mask(value)]
        return value

    def clean(self, value):
        return schedule.mask_from_days(super().clean(value))

    def has_changed(self, initial, data):
        initial_days = self.prepare_value(initial) or []
        return sorted(map(str, initial_days)) != sorted(map(str, data or []))


class ScheduleAdminForm(forms.ModelForm):
    weekdays = WeekdaysField()
