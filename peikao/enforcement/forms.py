"""Forms of the enforcement UI."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core import formfields
from peikao.enforcement.choices import CampaignList, InspectionKind, Measure, SubjectType
from peikao.registry.choices import OrganizationKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 2})


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    year = forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year
    )
    kinds = forms.MultipleChoiceField(
        label=_("Kinds of subject"),
        choices=OrganizationKind.choices,
        initial=[OrganizationKind.ENTERPRISE],
        widget=forms.CheckboxSelectMultiple,
    )
    subjects_wanted = forms.IntegerField(label=_("Subjects to draw"), min_value=1, max_value=10000, initial=10)
    inspectors_per_subject = forms.IntegerField(label=_("Inspectors per subject"), min_value=2, max_value=6, initial=2)


class InspectionForm(forms.Form):
    org_code = forms.CharField(label=_("Organisation code"), max_length=32)
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices)
    inspected_on = formfields.DateField(label=_("Date"), widget=DATE, initial=timezone.localdate)
    inspectors = forms.MultipleChoiceField(label=_("Inspectors (at least two)"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, inspectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].choices = [(str(u.pk), u.label) for u in inspectors]


class FindingForm(forms.Form):
    violation = forms.ChoiceField(label=_("Catalogue item"), required=False)
    description = forms.CharField(label=_("Description (required for 'other')"), required=False, widget=TEXT)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["violation"].choices = [("", _("Other (describe it)"))] + [
            (str(item.pk), f"{item.label}（{item.code}）") for item in items
        ]


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("Photo, video or document"))
    finding = forms.ChoiceField(label=_("Finding"), required=False)
    captured_at = formfields.DateTimeField(required=False, widget=forms.HiddenInput)
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput)
    accuracy_m = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, findings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].choices = [("", "—")] + [(str(f.pk), f.code) for f in findings]


class SpotForm(forms.Form):
    count = forms.IntegerField(label=_("Workers to draw"), min_value=1, max_value=20, initial=3)
    pass_score = forms.IntegerField(label=_("Pass mark"), min_value=1, max_value=100, initial=80)


class DecisionForm(forms.Form):
    measure = forms.ChoiceField(label=_("Measure"), choices=Measure.choices)
    findings = forms.MultipleChoiceField(label=_("Findings"), widget=forms.CheckboxSelectMultiple)
    fine_yuan = forms.DecimalField(label=_("Fine (yuan)"), required=False, min_value=0, max_digits=12, decimal_places=2)
    decided_on = formfields.DateField(label=_("Decided on"), widget=DATE, initial=timezone.localdate)
    due_on = formfields.DateField(label=_("Rectify by"), widget=DATE, required=False)
    certificate_id = forms.IntegerField(label=_("Certificate (id) to revoke"), required=False)
    responsible_person = forms.ChoiceField(
        label=_("Person directly responsible (only for a violation not corrected in time)"), required=False
    )
    responsible_fine_yuan = forms.DecimalField(
        label=_("Fine of the person directly responsible (yuan)"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    publicized = forms.BooleanField(label=_("Publish the case"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=TEXT)

    def __init__(self, *args, findings=(), persons=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["findings"].choices = [
            (str(f.pk), f"{f.code} · {f.violation.label if f.violation else _('other')} · {f.description[:50]}")
            for f in findings
        ]
        # Registered persons of the subject, shown as everywhere: name and masked ID number.
        self.fields["responsible_person"].choices = [("", "—")] + [
            (str(person.pk), f"{person.name}（{person.masked_id_number}）· {role}") for person, role in persons
        ]


class RectificationSubmitForm(forms.Form):
    note = forms.CharField(label=_("What was done"), widget=TEXT, required=False)
    files = forms.FileField(label=_("Evidence (photos, documents)"), required=False)


class VerifyForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Outcome"),
        choices=[("1", _("Rectified: close")), ("0", _("Not rectified: return"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(label=_("Note"), required=False, widget=TEXT)


class ViolationForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Short name"), max_length=100, help_text=_("In the words of the rule it cites."))
    subject_type = forms.ChoiceField(label=_("Subject"), choices=SubjectType.choices)
    check_text = forms.CharField(label=_("What is checked"), widget=TEXT)
    basis = forms.CharField(label=_("Legal basis"), max_length=200)
    order_to_correct = forms.BooleanField(label=_("Order to correct"), required=False)
    warning = forms.BooleanField(label=_("Warning"), required=False)
    fine_min = forms.IntegerField(label=_("Fine from (yuan)"), required=False, min_value=0)
    fine_max = forms.IntegerField(label=_("Fine up to (yuan)"), required=False, min_value=0)
    overdue_fine_min = forms.IntegerField(label=_("If not corrected: fine from"), required=False, min_value=0)
    overdue_fine_max = forms.IntegerField(label=_("If not corrected: fine up to"), required=False, min_value=0)
    responsible_fine_min = forms.IntegerField(
        label=_("If not corrected: fine of the person directly responsible from"), required=False, min_value=0
    )
    responsible_fine_max = forms.IntegerField(
        label=_("If not corrected: fine of the person directly responsible up to"), required=False, min_value=0
    )
    same_act_as = forms.CharField(label=_("Same act as (code of another item)"), max_length=40, required=False)
    surface = forms.BooleanField(label=_("Surface item"), required=False)
    campaign_list = forms.ChoiceField(label=_("Campaign list"), choices=CampaignList.choices, required=False)
    source = forms.CharField(
        label=_("Source (the rule the item comes from)"), max_length=200, required=False, initial=""
    )

    def clean_same_act_as(self):
        return self.cleaned_data["same_act_as"].strip().upper()

    def clean(self):
        data = super().clean()
        pairs = (
            ("fine_min", "fine_max"),
            ("overdue_fine_min", "overdue_fine_max"),
            ("responsible_fine_min", "responsible_fine_max"),
        )
        for low, high in pairs:
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, _("The upper bound is below the lower bound."))
        return data


class LookbackForm(forms.Form):
    share = forms.DecimalField(label=_("Share to sample"), min_value=0.01, max_value=1, initial=0.2, decimal_places=2)
    since = formfields.DateField(label=_("Closed from"), widget=DATE)
    until = formfields.DateField(label=_("Closed until"), widget=DATE, initial=timezone.localdate)
    inspected_on = formfields.DateField(label=_("Look-back date"), widget=DATE, initial=timezone.localdate)


class IndicatorForm(forms.Form):
    since = formfields.DateField(label=_("From"), widget=DATE, required=False)
    until = formfields.DateField(label=_("Until"), widget=DATE, required=False)
    region = forms.CharField(label=_("Region code"), max_length=6, required=False)
