"""Forms of the training UI."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from peikao.core import formfields
from peikao.core.validators import validate_id_number
from peikao.registry.models import Industry, OperationItem, Organization
from peikao.training.choices import AttendanceKind, DeviceKind, LessonMode, TraineeCategory, TrainingType

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ClassForm(forms.Form):
    class_code = forms.CharField(label=_("Class code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    organization = forms.ModelChoiceField(label=_("Training organisation"), queryset=Organization.objects.none())
    trainee_category = forms.ChoiceField(label=_("Trainees"), choices=TraineeCategory.choices)
    training_type = forms.ChoiceField(label=_("Training type"), choices=TrainingType.choices)
    operation_item = forms.ModelChoiceField(
        label=_("Operation item"), queryset=OperationItem.objects.all(), required=False,
        help_text=_("Required for special-operations classes."),
    )  # fmt: skip
    industry = forms.ModelChoiceField(
        label=_("Industry"), queryset=Industry.objects.all(), required=False,
        help_text=_("Decides the minimum hours; an enterprise's own industry by default."),
    )  # fmt: skip
    syllabus_hours = forms.DecimalField(
        label=_("Syllabus hours"), max_digits=5, decimal_places=1, min_value=0, required=False,
        help_text=_("Required for special-operations classes (the national syllabus of the item)."),
    )  # fmt: skip
    start_date = formfields.DateField(label=_("Start date"), widget=DATE)
    end_date = formfields.DateField(label=_("End date"), widget=DATE)

    def __init__(self, *args, organizations=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = (
            organizations if organizations is not None else Organization.objects.none()
        )
        if editing:
            self.fields["class_code"].disabled = True
            self.fields["organization"].disabled = True

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The end date is before the start date."))
        if data.get("trainee_category") == TraineeCategory.SPECIAL_OPERATOR and not data.get("operation_item"):
            self.add_error("operation_item", _("A class for special-operations workers needs an operation item."))
        return data


class LessonForm(forms.Form):
    lesson_code = forms.CharField(label=_("Lesson code"), max_length=60)
    mode = forms.ChoiceField(label=_("Mode"), choices=LessonMode.choices)
    starts_at = formfields.DateTimeField(label=_("Starts"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = formfields.DateTimeField(label=_("Ends"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    teacher = forms.ChoiceField(label=_("Teacher"), required=False)
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)

    def __init__(self, *args, teachers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].choices = [
            ("", "—"),
            *[(str(p.pk), f"{p.name}（{p.masked_id_number}）") for p in teachers],
        ]


ID_NUMBER_SHAPE = re.compile(r"[0-9]{17}[0-9X]")


class EnrolForm(forms.Form):
    id_numbers = forms.CharField(
        label=_("Trainees: ID number and name"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One trainee per line: the ID number, then the name as on the ID card. The name may be left out for a "
            "person your organisation entered before."
        ),
    )  # fmt: skip

    def clean_id_numbers(self) -> list[tuple[str, str]]:
        """(ID number, name) pairs: each ID-number-shaped token starts a trainee, the words after it are the name."""
        trainees: list[list[str]] = []
        for token in re.split(r"[,;，；、\s]+", self.cleaned_data["id_numbers"]):
            if not token:
                continue
            if ID_NUMBER_SHAPE.fullmatch(token.upper()):
                trainees.append([validate_id_number(token), ""])
            elif trainees:
                trainees[-1][1] = (trainees[-1][1] + token)[:50]
            else:
                raise forms.ValidationError(_("Start with an ID number."))
        return [(number, name) for number, name in trainees]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ManualAttendanceForm(forms.Form):
    lesson = forms.ChoiceField(label=_("Lesson"))
    person = forms.ChoiceField(label=_("Trainee"))
    event = forms.ChoiceField(label=_("Event"), choices=AttendanceKind.choices)
    at = formfields.DateTimeField(label=_("Time"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    note = forms.CharField(label=_("Why entered by hand"), max_length=64)

    def __init__(self, *args, lessons=(), persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].choices = [(str(lesson.pk), str(lesson)) for lesson in lessons]
        self.fields["person"].choices = [(str(p.pk), p.name) for p in persons]


class AmendmentForm(forms.Form):
    lesson = forms.ChoiceField(label=_("Lesson"))
    person = forms.ChoiceField(label=_("Trainee"))
    event = forms.ChoiceField(label=_("Event"), choices=AttendanceKind.choices)
    at = formfields.DateTimeField(label=_("Time"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    reason = forms.CharField(
        label=_("Why (the evidence)"), widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the paper sign-in sheet no. 12 shows the trainee arrived; the device was out of order."),
    )  # fmt: skip

    def __init__(self, *args, lessons=(), persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lesson"].choices = [(lesson.lesson_code, str(lesson)) for lesson in lessons]
        self.fields["person"].choices = [(p.id_number, f"{p.name}（{p.masked_id_number}）") for p in persons]


class DeviceForm(forms.Form):
    device_code = forms.CharField(label=_("Device code"), max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), choices=DeviceKind.choices)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
