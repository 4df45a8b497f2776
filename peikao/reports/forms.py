"""The notice form: region (the user's jurisdiction and the regions below it), period, document number."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.errors import DomainError
from peikao.core.models import Region
from peikao.core.scoping import region_code_range
from peikao.reports.selectors import PRACTICES, notice_region

RECORD_KINDS = ("inspections", "decisions", "fines", "practice")

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def region_choices(user) -> list[tuple[str, str]]:
    """The user's region and the regions of the two levels below it (the nation: provinces and cities)."""
    top = user.region if user.region_id else Region.objects.get(code="000000")
    if user.sees_everything:
        top = Region.objects.get(code="000000")
    depth = {"nation": ("province", "city"), "province": ("city", "county"), "city": ("county",)}.get(top.level, ())
    below = Region.objects.filter(level__in=depth)
    if top.prefix:
        below = below.filter(code__range=region_code_range(top.prefix))
    indent = {depth[-1]: "　　"} if len(depth) == 2 else {}
    return [(top.code, top.name)] + [
        (r.code, f"{indent.get(r.level, '　')}{r.name}（{r.code}）") for r in below.order_by("code")
    ]


class NoticeForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"))
    date_from = forms.DateField(label=_("From"), widget=DATE)
    date_to = forms.DateField(label=_("Until"), widget=DATE)
    doc_no = forms.CharField(label=_("Document number"), max_length=60, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(user)
        today = timezone.localdate()
        self.fields["date_from"].initial = dt.date(today.year, 1, 1)
        self.fields["date_to"].initial = today

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The period ends before it starts."))
        return cleaned


MAX_DASHBOARD_DAYS = 5 * 366


class DashboardForm(forms.Form):
    """The dashboard's region and period (without a period: the twelve months up to today)."""

    region = forms.ChoiceField(label=_("Region"), required=False)
    date_from = forms.DateField(label=_("From"), widget=DATE, required=False)
    date_to = forms.DateField(label=_("Until"), widget=DATE, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        choices = region_choices(user)
        # a region deeper than the list offers (a county of a city of the nation's), followed from a link
        code = str(self.data.get("region") or "").strip() if self.is_bound else ""
        if code and code not in dict(choices):
            try:  # the notice's own check of the user's jurisdiction
                region = notice_region(user=user, code=code)
            except DomainError:
                pass  # unknown, or outside the jurisdiction: not a choice, the field refuses it
            else:
                choices.append((code, f"{region.full_name}（{code}）"))
        self.fields["region"].choices = choices

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The period ends before it starts."))
        elif start and end and (end - start).days > MAX_DASHBOARD_DAYS:
            self.add_error("date_to", _("A dashboard covers at most five years."))
        return cleaned


class DashboardRecordsForm(DashboardForm):
    """The records behind a figure of the dashboard: which records, the region, the period, the practice."""

    kind = forms.ChoiceField(label=_("Records"), choices=[(kind, kind) for kind in RECORD_KINDS])
    practice = forms.ChoiceField(label=_("Practice"), choices=[("", "")] + [(p, p) for p in PRACTICES], required=False)
    region = forms.ChoiceField(label=_("Region"))
    date_from = forms.DateField(label=_("From"), widget=DATE)
    date_to = forms.DateField(label=_("Until"), widget=DATE)
