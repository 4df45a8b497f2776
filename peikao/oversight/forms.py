"""Forms of the alert queue: its filters and the steps of an alert's review."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core import formfields
from peikao.enforcement.choices import InspectionKind
from peikao.oversight.choices import AlertState, DismissReason, Severity, SubjectKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 2})
ALL = [("", _("All"))]

SORT_CHOICES = [
    ("severity", _("Most severe first")),
    ("age", _("Oldest first")),
    ("-age", _("Newest first")),
    ("-last_seen", _("Last found first")),
]


class AlertFilterForm(forms.Form):
    """The queue's filters; an invalid value is ignored (the list shows everything it would otherwise)."""

    detector = forms.ChoiceField(label=_("Detector"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=ALL + Severity.choices, required=False)
    state = forms.ChoiceField(label=_("State"), choices=ALL + AlertState.choices, required=False)
    subject_kind = forms.ChoiceField(label=_("Subject kind"), choices=ALL + SubjectKind.choices, required=False)
    region = forms.CharField(label=_("Region"), max_length=6, required=False)
    period_from = formfields.DateField(label=_("Period from"), widget=DATE, required=False)
    period_to = formfields.DateField(label=_("Period to"), widget=DATE, required=False)
    sort = forms.ChoiceField(label=_("Sort"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args, detectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["detector"].choices = ALL + [(d.code, d.name) for d in detectors]

    def filters(self) -> dict:
        """The selector's filters: the valid fields only."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if value not in (None, "")}


class NoteForm(forms.Form):
    """Take into review (note optional) or reopen (note required)."""

    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=TEXT)


class DismissForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why it is dismissed"), choices=[("", "—"), *DismissReason.choices])
    note = forms.CharField(label=_("In words (required for 'other')"), required=False, max_length=2000, widget=TEXT)

    def clean(self):
        data = super().clean()
        if data.get("reason") == DismissReason.OTHER and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the alert is dismissed."))
        return data


NEW = "new"


class ConfirmForm(forms.Form):
    """Confirm into a finding of an open or planned inspection of the subject, or of a new one."""

    inspection = forms.ChoiceField(label=_("Into which inspection"))
    kind = forms.ChoiceField(label=_("Kind of the new inspection"), choices=InspectionKind.choices, required=False)
    inspected_on = formfields.DateField(
        label=_("Date of the new inspection"), widget=DATE, required=False, initial=timezone.localdate
    )
    inspectors = forms.MultipleChoiceField(
        label=_("Inspectors of the new inspection (at least two)"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(label=_("Note added to the finding"), required=False, max_length=2000, widget=TEXT)

    def __init__(self, *args, inspections=(), inspectors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspection"].choices = [(NEW, _("A new inspection"))] + [
            (i.code, f"{i.code} · {i.get_kind_display()} · {i.inspected_on:%Y-%m-%d} · {i.get_status_display()}")
            for i in inspections
        ]
        self.fields["inspectors"].choices = [(str(u.pk), u.label) for u in inspectors]
        self.fields["kind"].initial = InspectionKind.SPECIAL

    def clean(self):
        data = super().clean()
        if data.get("inspection") == NEW:
            if len(data.get("inspectors") or []) < 2:
                self.add_error("inspectors", _("An inspection needs at least two inspectors."))
            if not data.get("kind"):
                data["kind"] = InspectionKind.SPECIAL
        return data


class ForceForm(forms.Form):
    """Add the subject to the next draw of a plan (a draft plan of a region holding the subject)."""

    plan = forms.ChoiceField(label=_("Inspection plan"))
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=TEXT)

    def __init__(self, *args, plans=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [("", "—")] + [
            (str(p.pk), f"{p.year} {p.name}（{p.region.name}）") for p in plans
        ]
