"""Forms of the certificates UI and of the public verification pages."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.certificates.choices import CancelGround, RevokeGround, SuspendGround
from peikao.core import formfields

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REASON = forms.Textarea(attrs={"rows": 2})


class ReviewForm(forms.Form):
    reviewed_on = formfields.DateField(label=_("Reviewed on"), widget=DATE, initial=timezone.localdate)
    passed = forms.TypedChoiceField(
        label=_("Outcome"),
        choices=[("1", _("Passed")), ("0", _("Refused"))],
        coerce=lambda value: value == "1",
        initial="1",
    )
    extend = forms.BooleanField(label=_("Extend the interval to 6 years"), required=False)
    reason = forms.CharField(label=_("Reason or note"), required=False, widget=REASON)


class RenewForm(forms.Form):
    renewed_on = formfields.DateField(label=_("Renewed on"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("Note"), required=False, widget=REASON)


class SuspendForm(forms.Form):
    ground = forms.ChoiceField(label=_("Grounds"), choices=SuspendGround.choices)
    reason = forms.CharField(label=_("Details"), required=False, widget=REASON)


class ReinstateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=REASON)


class RevokeForm(forms.Form):
    ground = forms.ChoiceField(label=_("Grounds"), choices=RevokeGround.choices)
    reason = forms.CharField(label=_("Details"), required=False, widget=REASON)


class CancelForm(forms.Form):
    ground = forms.ChoiceField(label=_("Grounds"), choices=CancelGround.choices)
    reason = forms.CharField(label=_("Details"), required=False, widget=REASON)


ACTION_FORMS = {
    "review": ReviewForm,
    "renew": RenewForm,
    "suspend": SuspendForm,
    "reinstate": ReinstateForm,
    "revoke": RevokeForm,
    "cancel": CancelForm,
}


class LeadActionForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("review", _("Start reviewing")), ("hand_over", _("Hand over to the police")), ("close", _("Close"))],
    )
    case_reference = forms.CharField(label=_("Police case reference"), max_length=64, required=False)
    note = forms.CharField(label=_("Note or reason"), required=False, widget=REASON)


# -- public --------------------------------------------------------------------------------------------


class LookupForm(forms.Form):
    cert_no = forms.CharField(
        label=_("Certificate number"),
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "T350102199001011234"}),
    )
    name = forms.CharField(
        label=_("Holder's name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


class ReportForm(forms.Form):
    cert_no = forms.CharField(label=_("Certificate number shown"), max_length=64, required=False)
    name = forms.CharField(label=_("Name on it"), max_length=50, required=False)
    claimed_issuer = forms.CharField(label=_("Issuing authority printed on it"), max_length=64, required=False)
    where = forms.CharField(
        label=_("Where or by whom it was shown (company, site, website)"), max_length=100, required=False
    )
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    contact = forms.CharField(label=_("Your contact (optional)"), max_length=100, required=False)
