from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "peikao.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Each app declares its exchange files in imports.py and its reference data in refdata.py.
        from django.utils.module_loading import autodiscover_modules

        from peikao.core import lookups  # noqa: F401 - registers the ``__any`` lookup

        autodiscover_modules("imports")
        autodiscover_modules("refdata")
