from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExamsConfig(AppConfig):
    name = "peikao.exams"
    label = "exams"
    verbose_name = _("Exams")

    def ready(self) -> None:
        from peikao.registry.models import PERSON_LINKS

        # A candidate is seen by the exam point (and its region's regulators) where it registered.
        link = ("exams.Registration", "person", "sitting__exam_point")
        if link not in PERSON_LINKS:
            PERSON_LINKS.append(link)
        from peikao.exams.selectors import person_exam_section
        from peikao.registry.sections import register_person_section

        register_person_section(20, "exams/person_section.html", person_exam_section)
