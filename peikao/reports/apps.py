from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The campaign notice (通报) from the platform's records, provincial returns and dashboards. Reads every
    app below it; writes nothing but its own returns."""

    name = "peikao.reports"
    label = "reports"
    verbose_name = _("Reports")
