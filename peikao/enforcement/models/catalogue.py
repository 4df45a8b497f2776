"""The violation catalogue: versioned items with their legal basis and fine ranges."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peikao.core.citations import cite_reference, reference_parts
from peikao.core.models import DatedReference, LegalInstrument
from peikao.enforcement.choices import (
    CampaignList,
    SubjectType,
)
from peikao.lib.legal_citations import cite_instrument, instrument_codes

# The legal instrument of the 2021 campaign (domain/regimes.yaml), whose lists items are traced to.
CAMPAIGN_INSTRUMENT = "campaign_2021_274"


class ViolationItem(DatedReference):
    """An item of the violation catalogue (domain/violations.yaml, extended by administrators).

    Editing an item that findings already use creates a new version; the old one is retired, so a finding
    keeps the text, basis and fine range it was judged by."""

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(
        _("name"),
        max_length=100,
        blank=True,
        help_text=_("The short name a person reads, in the words of the law."),
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    subject_type = models.CharField(_("subject"), max_length=24, choices=SubjectType.choices)
    check_text = models.TextField(_("what is checked"))
    basis = models.CharField(_("legal basis"), max_length=200)
    instrument = models.ForeignKey(LegalInstrument, models.PROTECT, null=True, blank=True, related_name="+")
    surface = models.BooleanField(
        _("surface item"), default=False, help_text=_("Alone, such findings show soft enforcement.")
    )
    order_to_correct = models.BooleanField(_("order to correct"), default=False)
    warning = models.BooleanField(_("warning"), default=False)
    fine_min = models.PositiveIntegerField(_("fine from (yuan)"), null=True, blank=True)
    fine_max = models.PositiveIntegerField(_("fine up to (yuan)"), null=True, blank=True)
    overdue_fine_min = models.PositiveIntegerField(_("fine from, if not corrected in time"), null=True, blank=True)
    overdue_fine_max = models.PositiveIntegerField(_("fine up to, if not corrected in time"), null=True, blank=True)
    overdue_suspend = models.BooleanField(_("suspension if not corrected in time"), default=False)
    responsible_fine_min = models.PositiveIntegerField(
        _("fine of the person directly responsible from, if not corrected in time"), null=True, blank=True
    )
    responsible_fine_max = models.PositiveIntegerField(
        _("fine of the person directly responsible up to, if not corrected in time"), null=True, blank=True
    )
    same_act_as = models.CharField(
        _("same act as"),
        max_length=40,
        blank=True,
        help_text=_(
            "The code of an item that describes the same act under another rule: one act is fined once, under the "
            "rule with the higher fine."
        ),
    )
    revoke_certificate = models.BooleanField(_("certificate revoked"), default=False)
    ban_years = models.PositiveSmallIntegerField(_("ban (years)"), null=True, blank=True)
    campaign_list = models.CharField(
        _("campaign list"),
        max_length=16,
        choices=CampaignList.choices,
        blank=True,
        help_text=_(
            "The list of the 2021 campaign the item is traced to (应急厅函〔2021〕274号, or the county plans)."
        ),
    )
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("The rule an item not on the campaign's lists comes from.")
    )
    retired = models.BooleanField(_("retired"), default=False)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["subject_type", "code", "-version"]
        verbose_name = _("violation item")
        verbose_name_plural = _("violation catalogue")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="violation_code_version"),
            models.UniqueConstraint(fields=["code"], condition=Q(retired=False), name="violation_one_current_version"),
            models.CheckConstraint(
                condition=Q(fine_min__isnull=True) | Q(fine_max__isnull=True) | Q(fine_min__lte=models.F("fine_max")),
                name="violation_fine_range",
            ),
            models.CheckConstraint(
                condition=Q(overdue_fine_min__isnull=True)
                | Q(overdue_fine_max__isnull=True)
                | Q(overdue_fine_min__lte=models.F("overdue_fine_max")),
                name="violation_overdue_fine_range",
            ),
            models.CheckConstraint(
                condition=Q(responsible_fine_min__isnull=True)
                | Q(responsible_fine_max__isnull=True)
                | Q(responsible_fine_min__lte=models.F("responsible_fine_max")),
                name="violation_responsible_fine_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.code}）"

    @property
    def label(self) -> str:
        """What a person reads for the item: its short name (an item an administrator added without one: the
        beginning of what is checked). The code is at most a small tag beside it."""
        return self.name or self.check_text[:40]

    @property
    def basis_title(self) -> str:
        """The legal basis as cited: 《中华人民共和国安全生产法》第九十七条第三项, never the data's keys."""
        titles = {self.instrument.code: self.instrument.title} if self.instrument_id else {}
        missing = set().union(set(), *(instrument_codes(part) for part in reference_parts(self.basis))) - set(titles)
        if missing:
            titles |= dict(LegalInstrument.objects.filter(code__in=missing).values_list("code", "title"))
        return cite_reference(self.basis, titles) or self.basis

    @property
    def source_text(self) -> str:
        """Where the item comes from, as cited: the campaign's list it is traced to, or the rule it comes from."""
        if self.campaign_list:
            notice = LegalInstrument.objects.filter(code=CAMPAIGN_INSTRUMENT).values_list("title", flat=True).first()
            cited = cite_instrument(notice) if notice else "应急厅函〔2021〕274号"
            if self.campaign_list == CampaignList.COUNTY_PLANS:
                return str(_("The county plans of %(notice)s")) % {"notice": cited}
            return str(_("The list of %(notice)s")) % {"notice": cited}
        if not self.source:
            return ""
        if self.source == self.basis:
            return self.basis_title
        titles = dict(
            LegalInstrument.objects.filter(code__in=instrument_codes(self.source)).values_list("code", "title")
        )
        return cite_reference(self.source, titles) or self.source

    @property
    def fine_range_text(self) -> str:
        if self.fine_max is None:
            return "—"
        return f"{self.fine_min or 0:,}–{self.fine_max:,}"
