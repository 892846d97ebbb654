import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from exercises import dose
from exercises.models import Exercise

from . import schedule
from .models import Plan, PlanTemplate


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


def goal_and_notes_field(help_text) -> forms.CharField:
    return forms.CharField(
        label=_("Goal and notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=help_text,
    )


class PlanForm(forms.Form):
    """A plan's own fields in the builder. The hidden version is the one the page was opened at
    (a save from an older one is refused); the hidden template, the one it was started from."""

    # What the plan services take from the form, and what the edit page starts with.
    PLAN_FIELDS = ("title", "start_date", "end_date", "times_per_day", "weekdays", "notes")

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
    notes = goal_and_notes_field(_("Shown to the patient with the plan."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    template = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @staticmethod
    def initial_new(*, start_date: datetime.date, template: PlanTemplate | None = None) -> dict:
        """A new plan starting on `start_date`, with a template's name and schedule if given."""
        if template is None:
            return {"start_date": start_date, "times_per_day": 1, "weekdays": schedule.EVERY_DAY}
        return {
            "start_date": start_date,
            "title": template.name,
            "times_per_day": template.times_per_day,
            "weekdays": template.weekdays,
            "notes": template.description,
            "template": template.pk,
        }

    @classmethod
    def initial_for(cls, plan: Plan) -> dict:
        return {name: getattr(plan, name) for name in cls.PLAN_FIELDS} | {"version": plan.version}

    def plan_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.PLAN_FIELDS}

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


class TemplateForm(forms.Form):
    """A template's own fields in the builder: what the plan form has, less the patient's dates.
    Its cleaned data is what the template services take."""

    name = forms.CharField(label=_("Template name"), max_length=120)
    times_per_day = dose.TIMES_PER_DAY.form_field(_("Times per day"))
    weekdays = WeekdaysField()
    description = goal_and_notes_field(
        _(
            "Becomes the goal and notes of a plan started from this template, which the "
            "patient sees."
        )
    )

    @classmethod
    def initial_for(cls, template: PlanTemplate | None) -> dict:
        """The template's fields, or a new template's (once a day, every day)."""
        if template is None:
            return {"times_per_day": 1, "weekdays": schedule.EVERY_DAY}
        return {name: getattr(template, name) for name in cls.base_fields}


class SaveAsTemplateForm(forms.Form):
    name = forms.CharField(label=_("Template name"), max_length=120)
