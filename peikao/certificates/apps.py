from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "peikao.certificates"
    label = "certificates"
    verbose_name = _("Certificates")

    def ready(self) -> None:
        from peikao.certificates.selectors import application_ban_until, person_certificate_section
        from peikao.exams import hooks as exam_hooks
        from peikao.registry.sections import register_person_section

        register_person_section(30, "certificates/person_section.html", person_certificate_section)
        exam_hooks.application_ban_until.register(application_ban_until)
