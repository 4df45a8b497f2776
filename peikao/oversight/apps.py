from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "peikao.oversight"
    label = "oversight"
    verbose_name = _("Oversight")

    def ready(self) -> None:
        from peikao.enforcement import hooks as enforcement_hooks
        from peikao.oversight import detectors, sections  # noqa: F401 — registers the detectors
        from peikao.oversight.draw import forced_by_alert
        from peikao.oversight.grading import hooks  # noqa: F401 — issue 17: grading loader, draw hooks

        enforcement_hooks.forced_subjects.register(forced_by_alert)  # a confirmed alert's subject drawn first
        sections.register()  # a person's page lists the alerts naming him (registry.sections)
