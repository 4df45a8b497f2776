"""Forms of the grades, exit proposals and commitments pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core import formfields
from peikao.oversight.grading.choices import GRADED_KINDS, GradeLetter
from peikao.registry.choices import OrganizationKind

INDUSTRY_FILTERS = [
    ("high_risk", _("Enterprises of high-risk industries")),
    ("other", _("Enterprises of other industries")),
]
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 2})


class GradeFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All kinds"))] + [(k, OrganizationKind(k).label) for k in GRADED_KINDS],
    )
    grade = forms.ChoiceField(label=_("Grade"), required=False, choices=[("", _("All grades")), *GradeLetter.choices])
    industry = forms.ChoiceField(
        label=_("Industry"),
        required=False,
        choices=[("", _("All industries")), *INDUSTRY_FILTERS],
        help_text=_("Enterprises of the high-risk industries are graded and listed first."),
    )
    q = forms.CharField(label=_("Name or code"), required=False, max_length=100)


class OverrideForm(forms.Form):
    letter = forms.ChoiceField(label=_("Grade"), choices=GradeLetter.choices)
    reason = forms.CharField(label=_("Reason"), widget=TEXT, max_length=1000)
    until = formfields.DateField(label=_("Until"), widget=DATE)


class OverrideEndForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=TEXT, max_length=1000)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason of the rejection"), widget=TEXT, max_length=2000)


class DecideForm(forms.Form):
    inspection = forms.ChoiceField(label=_("Inspection and its findings"))
    decided_on = formfields.DateField(label=_("Decided on"), widget=DATE, initial=timezone.localdate)
    note = forms.CharField(label=_("Note"), widget=TEXT, required=False, max_length=2000)

    def __init__(self, *args, inspections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspection"].choices = [
            (i.code, f"{i.code} · {i.inspected_on:%Y-%m-%d} · {i.n_findings}") for i in inspections
        ]


class CommitmentForm(forms.Form):
    org_code = forms.CharField(label=_("Organisation code"), max_length=32)
    file = forms.FileField(label=_("Signed commitment (PDF)"))
    signatory = forms.CharField(label=_("Signatory"), max_length=100)
    signatory_title = forms.CharField(label=_("Signatory's post"), max_length=100, required=False)
    lawyer = forms.CharField(label=_("Witnessing lawyer"), max_length=100)
    law_firm = forms.CharField(label=_("Law firm"), max_length=200)
    signed_on = formfields.DateField(label=_("Signed on"), widget=DATE)
    valid_from = formfields.DateField(label=_("In force from"), widget=DATE)
    valid_to = formfields.DateField(label=_("In force until"), widget=DATE)
