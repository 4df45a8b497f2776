from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "peikao.web"
    label = "web"
    verbose_name = _("Web interface")

    def ready(self):
        from peikao.web.cards import register_cards

        register_cards()
