from django import forms
from django.utils.translation import gettext_lazy as _

from exercises import dose
from exercises.models import Exercise

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


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    start_date = forms.DateField(
        label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional. Leave empty for a plan without a set end."),
    )
    times_per_day = dose.TIMES_PER_DAY.form_field(_("Times per day"))
    weekdays = WeekdaysField()
    notes = forms.CharField(
        label=_("Goal and notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to the patient with the plan."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    template = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return cleaned


class PlanItemForm(forms.Form):
    item_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    exercise = forms.ModelChoiceField(queryset=Exercise.objects.none(), widget=forms.HiddenInput)
    sets = dose.SETS.form_field(_("Sets"))
    repetitions = dose.REPETITIONS.form_field(_("Repetitions"))
    hold_seconds = dose.HOLD_SECONDS.form_field(_("Hold (s)"))
    rest_seconds = dose.REST_SECONDS.form_field(_("Rest (s)"))
    side = forms.ChoiceField(label=_("Side"), choices=dose.Side.choices)
    note = forms.CharField(label=_("Note for the patient"), max_length=500, required=False)

    def __init__(self, *args, exercises=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exercise"].queryset = (
            exercises if exercises is not None else Exercise.objects.none()
        )
        self.fields["exercise"].error_messages["invalid_choice"] = _(
            "This exercise is not in your clinic's catalog."
        )


PlanItemFormSet = forms.formset_factory(PlanItemForm, extra=0, max_num=40, absolute_max=40)


class SaveAsTemplateForm(forms.Form):
    name = forms.CharField(label=_("Template name"), max_length=120)
