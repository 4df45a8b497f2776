from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "peikao.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from peikao.registry.models import PERSON_LINKS

        # A trainee is seen by the regulators of the institution's region and by the institution.
        link = ("training.Enrolment", "person", "training_class__organization")
        if link not in PERSON_LINKS:
            PERSON_LINKS.append(link)

        from peikao.registry.sections import register_person_section
        from peikao.training.selectors import person_training_section

        register_person_section(10, "training/person_section.html", person_training_section)
