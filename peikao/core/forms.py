"""Forms of the core UI."""

from django import forms
from django.utils.translation import gettext_lazy as _

from peikao.core.exchange import all_kinds


def importable_choices():
    return [(kind.name, f"{kind.title}（{kind.name}）") for kind in all_kinds() if kind.importable]


def exportable_choices():
    return [(kind.name, f"{kind.title}（{kind.name}）") for kind in all_kinds() if kind.exportable]


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("File kind"), choices=importable_choices)
    file = forms.FileField(label=_("File (.csv or .xlsx)"))
    dry_run = forms.BooleanField(label=_("Check only (dry run): write nothing"), required=False)
    skip_invalid = forms.BooleanField(
        label=_("Import the valid rows and skip the bad ones (for messy sources)"), required=False
    )
    operation_item = forms.CharField(
        label=_("Operation item of a question bank (when the file does not say, e.g. 1.2)"),
        required=False,
        max_length=8,
    )


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("File kind"), choices=exportable_choices)
    format = forms.ChoiceField(label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    headers = forms.ChoiceField(label=_("Header"), choices=[("en", _("English keys")), ("zh", _("Chinese labels"))])
    region = forms.CharField(label=_("Region code (optional)"), required=False, max_length=6)
    as_of = forms.DateField(label=_("As of (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
