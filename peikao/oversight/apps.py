from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "peikao.oversight"
    label = "oversight"
    verbose_name = _("Oversight")

    def ready(self) -> None:
        from peikao.oversight import detectors  # noqa: F401 — registers the detectors
        from peikao.oversight.grading import hooks  # noqa: F401 — issue 17: grading loader, draw hooks
