"""The same persons.csv imported with django-import-export, with the same validation, for comparison.

Runs in .venv-bench (where django-import-export is installed):
    python -m bench.die_worker FILE [--bulk]
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.die_settings"
    import django

    django.setup()
    import tablib
    from django.core.exceptions import ValidationError
    from import_export import resources

    from peikao.core.validators import id_number_facts, validate_id_number
    from peikao.registry.choices import EDUCATION_ALIASES, Education
    from peikao.registry.models import Person

    path = sys.argv[1]
    bulk = "--bulk" in sys.argv

    class PersonResource(resources.ModelResource):
        """Full validation as Peikao does it: the ID number (check character, date, region), phone,
        education labels, derived birth date and sex, and the model's own validation."""

        class Meta:
            model = Person
            import_id_fields = ("id_number",)
            fields = ("id_number", "name", "phone", "education")
            skip_unchanged = True
            report_skipped = False
            use_transactions = True
            clean_model_instances = True
            use_bulk = bulk
            batch_size = 5000

        def before_import_row(self, row, **kwargs):
            row["id_number"] = validate_id_number(row["id_number"])
            phone = row.get("phone") or ""
            if phone and not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
                raise ValidationError("bad phone")
            education = row.get("education") or ""
            if education and education not in Education.values:
                if education not in EDUCATION_ALIASES:
                    raise ValidationError("bad education")
                row["education"] = EDUCATION_ALIASES[education]

        def before_save_instance(self, instance, row, **kwargs):
            facts = id_number_facts(instance.id_number)
            instance.sex, instance.birth_date = facts.sex, facts.birth_date

        def import_instance(self, instance, row, **kwargs):
            super().import_instance(instance, row, **kwargs)
            facts = id_number_facts(instance.id_number)
            instance.sex, instance.birth_date = facts.sex, facts.birth_date

    started = time.perf_counter()
    with open(path, encoding="utf-8") as fh:
        dataset = tablib.Dataset().load(fh.read(), format="csv")
    result = PersonResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - started
    totals = result.totals
    print(json.dumps({"seconds": seconds, "rows": len(dataset), "totals": dict(totals), "bulk": bulk}))


if __name__ == "__main__":
    main()
