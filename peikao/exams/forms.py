"""Forms of the exams UI."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peikao.core import formfields
from peikao.exams.choices import DeviceType, ExamPart, PatrolMode, Sanction, SkillLevel, StaffRole
from peikao.registry.models import OperationItem, Organization

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SittingForm(forms.Form):
    sitting_code = forms.CharField(label=_("Sitting code"), max_length=40)
    exam_point = forms.ModelChoiceField(label=_("Exam point"), queryset=Organization.objects.none())
    part = forms.ChoiceField(label=_("Part"), choices=ExamPart.choices)
    operation_item = forms.ModelChoiceField(
        label=_("Operation item"), queryset=OperationItem.objects.all(), required=False
    )
    trainee_category = forms.ChoiceField(
        label=_("Or trainee category (competency assessment)"),
        choices=[("", "—"), ("principal", _("Principal person in charge")), ("safety_manager", _("Safety manager"))],
        required=False,
    )
    starts_at = formfields.DateTimeField(label=_("Starts"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    ends_at = formfields.DateTimeField(label=_("Ends"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    capacity = forms.IntegerField(label=_("Seats"), min_value=1, required=False)

    def __init__(self, *args, exam_points=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["exam_point"].queryset = exam_points if exam_points is not None else Organization.objects.none()


class StaffForm(forms.Form):
    id_number = forms.CharField(label=_("ID number of the proctor or examiner"), max_length=24)
    role = forms.ChoiceField(label=_("Role"), choices=StaffRole.choices)
    override_reason = forms.CharField(
        label=_("Override reason (regulators only, when a conflict is found)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RegisterForm(forms.Form):
    id_number = forms.CharField(label=_("ID number of the candidate"), max_length=24)
    name = forms.CharField(
        label=pgettext_lazy("person", "Name"),
        max_length=50,
        required=False,
        help_text=_("As on the ID card; may be left out for a candidate this exam point entered before."),
    )
    # A vocational skill level certificate shown with the application (order No. 19: no training needed for the
    # items it matches). Optional: all of it, or none.
    skill_number = forms.CharField(label=_("Skill certificate number (if any)"), max_length=40, required=False)
    skill_occupation = forms.ChoiceField(label=_("Its occupation"), required=False)
    skill_level = forms.ChoiceField(label=_("Its level"), choices=[("", "—"), *SkillLevel.choices], required=False)
    skill_issuer = forms.CharField(label=_("Issued by (evaluation body)"), max_length=200, required=False)
    skill_issued_on = formfields.DateField(
        label=_("Issued on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, occupations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill_occupation"].choices = [("", "—"), *((name, name) for name in occupations)]

    def clean(self):
        data = super().clean()
        skill = ("skill_number", "skill_occupation", "skill_level", "skill_issuer", "skill_issued_on")
        given = [name for name in skill if data.get(name)]
        if given and len(given) != len(skill):
            for name in skill:
                if not data.get(name):
                    self.add_error(name, _("Give every detail of the skill certificate, or none."))
        return data


class CandidateLoginForm(forms.Form):
    id_number = forms.CharField(
        label=_("ID number"), max_length=24, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    admission_code = forms.CharField(
        label=_("Admission code"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class PracticalForm(forms.Form):
    examiner = forms.ChoiceField(label=_("Examiner"))
    device_type = forms.ChoiceField(label=_("Equipment used"), choices=DeviceType.choices)
    performed = forms.ChoiceField(
        label=_("How the exam was done"),
        choices=[("hands_on", _("Hands-on, on the equipment")), ("oral", _("Oral questions only"))],
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, examiners=(), tasks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["examiner"].choices = [(str(p.pk), p.name) for p in examiners]
        self.tasks = list(tasks)
        for task in self.tasks:
            self.fields[f"task_{task['code']}"] = forms.DecimalField(
                label=f"{task['name']}（{task['points']}）", min_value=0, max_value=task["points"], decimal_places=1
            )


class PatrolForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), choices=PatrolMode.choices)
    started_at = formfields.DateTimeField(label=_("From"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"])
    ended_at = formfields.DateTimeField(
        label=_("To"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"], required=False
    )
    notes = forms.CharField(label=_("What was seen"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    candidate = forms.ChoiceField(label=_("Candidate concerned"), required=False)
    observation = forms.CharField(label=_("Finding"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    sanction = forms.ChoiceField(label=_("Sanction"), choices=Sanction.choices)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["candidate"].choices = [("", "—"), *[(str(r.pk), r.person.name) for r in candidates]]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("dismiss", _("Dismiss"))])
    sanction = forms.ChoiceField(label=_("Sanction"), choices=Sanction.choices, required=False)
