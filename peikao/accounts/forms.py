"""Forms of the accounts UI."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("User name"), regex=r"^[A-Za-z0-9_.@+-]{3,150}$", max_length=150,
        error_messages={"invalid": _("3-150 letters, digits or _ . @ + -")},
    )  # fmt: skip
    full_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=64)
    role = forms.ChoiceField(label=_("Role"))
    region = forms.ModelChoiceField(label=_("Region"), queryset=None, required=False)
    organization = forms.CharField(label=_("Organisation code"), required=False, max_length=32)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, min_length=8)

    def __init__(self, *args, roles, regions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles
        self.fields["region"].queryset = regions
