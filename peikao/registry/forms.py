"""Forms of the registry UI."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from peikao.core import formfields
from peikao.core.models import Region
from peikao.core.validators import validate_id_number, validate_uscc
from peikao.registry.choices import AssignmentRole, Education, OrganizationKind, OrganizationStatus, PracticalDevice
from peikao.registry.models import Industry, OperationItem, Organization


class OrganizationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganizationKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=22, required=False)
    org_code = forms.CharField(
        label=_("Organisation code"), max_length=32, required=False, help_text=_("Exam points without a USCC only.")
    )
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none())
    parent = forms.ModelChoiceField(label=_("Exam institution"), queryset=Organization.objects.none(), required=False)
    industry = forms.ModelChoiceField(label=_("Industry"), queryset=Industry.objects.all(), required=False)
    operation_items = forms.ModelMultipleChoiceField(
        label=_("Approved operation items"), queryset=OperationItem.objects.all(), required=False
    )
    practical_device = forms.ChoiceField(
        label=_("Practical exam equipment"), choices=[("", "—"), *PracticalDevice.choices], required=False
    )
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)

    def __init__(self, *args, regions=None, parents=None, regulated: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions if regions is not None else Region.objects.none()
        self.fields["parent"].queryset = parents if parents is not None else Organization.objects.none()
        if not regulated:
            for name in ("kind", "uscc", "org_code", "region", "parent", "industry", "operation_items"):
                self.fields[name].disabled = True

    def clean_uscc(self):
        value = self.cleaned_data.get("uscc")
        return validate_uscc(value) if value else ""


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=OrganizationStatus.choices)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class PersonForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=24)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    phone = forms.RegexField(
        label=_("Mobile phone"),
        regex=r"^1\d{10}$",
        required=False,
        max_length=11,
        error_messages={"invalid": _("A mobile phone number has 11 digits and starts with 1.")},
    )
    education = forms.ChoiceField(label=_("Education"), choices=[("", "—"), *Education.choices], required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["id_number"]

    def clean_id_number(self):
        return validate_id_number(self.cleaned_data["id_number"])


class AssignmentForm(forms.Form):
    """Add a person to an organisation's roster (registering the person when new)."""

    id_number = forms.CharField(label=_("ID number"), max_length=24)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    role = forms.ChoiceField(label=_("Role"), choices=AssignmentRole.choices)
    operation_item = forms.ModelChoiceField(
        label=_("Operation item"), queryset=OperationItem.objects.all(), required=False, to_field_name="code"
    )
    start_date = formfields.DateField(label=_("Start date"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = formfields.DateField(label=_("End date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    dispatched_by = forms.ModelChoiceField(
        label=_("Dispatched by"), queryset=Organization.objects.none(), required=False, to_field_name="org_code"
    )

    def __init__(self, *args, dispatchers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dispatched_by"].queryset = dispatchers if dispatchers is not None else Organization.objects.none()

    def clean_id_number(self):
        return validate_id_number(self.cleaned_data["id_number"])

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The end date is before the start date."))
        return data


class AssignmentEndForm(forms.Form):
    end_date = formfields.DateField(label=_("End date"), widget=forms.DateInput(attrs={"type": "date"}))
