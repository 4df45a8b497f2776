"""Forms of the core UI."""

from django import forms
from django.utils.translation import gettext_lazy as _

from peikao.core.errors import PermissionDenied
from peikao.core.exchange import all_kinds
from peikao.core.permissions import has_perm


def importable_choices(user=None):
    """The file kinds ``user`` may import (every importable kind without a user)."""
    return [
        (kind.name, kind.title)
        for kind in all_kinds()
        if kind.importable and (user is None or has_perm(user, kind.import_perm))
    ]


def _may_export(kind, user) -> bool:
    try:
        kind.require_export(user)
    except PermissionDenied:
        return False
    return True


def exportable_choices(user=None):
    """The file kinds ``user`` may export (the export's own refusal decides: a role is never offered a kind it
    would be refused)."""
    return [
        (kind.name, kind.title) for kind in all_kinds() if kind.exportable and (user is None or _may_export(kind, user))
    ]


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

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = importable_choices(user)


class ExportForm(forms.Form):
    kind = forms.ChoiceField(label=_("File kind"), choices=exportable_choices)
    format = forms.ChoiceField(label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    headers = forms.ChoiceField(label=_("Header"), choices=[("en", _("English keys")), ("zh", _("Chinese labels"))])
    region = forms.CharField(label=_("Region code (optional)"), required=False, max_length=6)
    as_of = forms.DateField(label=_("As of (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_from = forms.DateField(
        label=_("Period from (optional, analyses)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Period to (optional, analyses)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = exportable_choices(user)


def add_domain_error(form: forms.Form, error) -> None:
    """Show a refused action on its form in the page's language only: beside the field the error names
    (``DomainError.field``) when the form has it, else at the top of the form."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, error.text)
