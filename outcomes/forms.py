from django import forms
from django.utils.translation import gettext_lazy as _

from lib.web import ServiceErrorsMixin

from .scores import (
    PSFS_INTERVAL_MAX_DAYS,
    PSFS_INTERVAL_MIN_DAYS,
    PSFS_MAX_ACTIVITIES,
    PSFS_RATING_MAX,
    PSFS_RATING_MIN,
    Measure,
)

RATING_MESSAGE = _("Choose a whole number from 0 (unable) to 10 (able as before).")
DATE_MESSAGE = _("Enter the date as year-month-day, today or earlier.")
TOTAL_MESSAGE = _("Enter the total as a whole number: ODI 0 to 100, NDI 0 to 50.")


def rating_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[(value, str(value)) for value in range(PSFS_RATING_MIN, PSFS_RATING_MAX + 1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": RATING_MESSAGE, "invalid_choice": RATING_MESSAGE},
    )


def date_field() -> forms.DateField:
    return forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": DATE_MESSAGE, "invalid": DATE_MESSAGE},
    )


class RatingsMixin:
    def add_rating_fields(self, activities) -> None:
        self.activities = list(activities)
        for activity in self.activities:
            self.fields[f"activity_{activity.pk}"] = rating_field(activity.name)

    @property
    def rating_fields(self):
        return [self[f"activity_{activity.pk}"] for activity in self.activities]

    def ratings(self) -> dict[int, int]:
        return {
            activity.pk: self.cleaned_data[f"activity_{activity.pk}"]
            for activity in self.activities
        }


class PsfsRateForm(RatingsMixin, ServiceErrorsMixin, forms.Form):
    def __init__(self, *args, activities, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_rating_fields(activities)


class TotalForm(ServiceErrorsMixin, forms.Form):
    measure = forms.ChoiceField(
        label=_("Measure"),
        choices=[
            (Measure.ODI, _("ODI (low back), 0–100 %")),
            (Measure.NDI, _("NDI (neck), 0–50 points")),
        ],
        error_messages={
            "required": _("Choose ODI or NDI."),
            "invalid_choice": _("Choose ODI or NDI."),
        },
    )
    total = forms.IntegerField(
        label=_("Total from the clinic's form"),
        error_messages={"required": TOTAL_MESSAGE, "invalid": TOTAL_MESSAGE},
    )
    assessed_on = date_field()


class ActivitiesForm(ServiceErrorsMixin, forms.Form):
    def __init__(self, *args, free: int = PSFS_MAX_ACTIVITIES, **kwargs):
        super().__init__(*args, **kwargs)
        # Labels carry on from the activities the patient has: "Activity 4", "Activity 5".
        named = PSFS_MAX_ACTIVITIES - free
        for number in range(1, free + 1):
            self.fields[f"name_{number}"] = forms.CharField(
                label=_("Activity %(number)d") % {"number": named + number},
                required=False,
                max_length=120,
                error_messages={"max_length": _("Keep each activity to 120 characters.")},
            )

    def names(self) -> list[str]:
        return [value for name, value in self.cleaned_data.items() if name.startswith("name_")]


class IntervalForm(ServiceErrorsMixin, forms.Form):
    days = forms.IntegerField(
        label=_("Ask for PSFS every (days)"),
        error_messages={
            "required": _("Enter a whole number of days from 7 to 90."),
            "invalid": _("Enter a whole number of days from 7 to 90."),
        },
        widget=forms.NumberInput(
            attrs={"min": PSFS_INTERVAL_MIN_DAYS, "max": PSFS_INTERVAL_MAX_DAYS}
        ),
    )


class CorrectForm(RatingsMixin, ServiceErrorsMixin, forms.Form):
    total = forms.IntegerField(
        label=_("Corrected total"),
        error_messages={"required": TOTAL_MESSAGE, "invalid": TOTAL_MESSAGE},
    )
    assessed_on = date_field()
    note = forms.CharField(
        label=_("Why is it corrected?"),
        max_length=300,
        error_messages={
            "required": _("Say why the score is corrected."),
            "max_length": _("Keep the reason to 300 characters."),
        },
    )

    def __init__(self, *args, entry, **kwargs):
        super().__init__(*args, **kwargs)
        self.entry = entry
        if entry.total is None:
            del self.fields["total"]
            self.add_rating_fields(rating.activity for rating in entry.ratings.all())
        else:
            self.activities = []
