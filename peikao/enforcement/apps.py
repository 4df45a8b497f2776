from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "peikao.enforcement"
    label = "enforcement"
    verbose_name = _("Enforcement")

    def ready(self) -> None:
        from peikao.compliance import hooks as compliance_hooks
        from peikao.enforcement.selectors import current_violations

        compliance_hooks.violation_catalogue.register(current_violations)
