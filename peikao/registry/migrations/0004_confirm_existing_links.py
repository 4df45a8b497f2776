"""Links made before person links existed (ADR 0009) are taken as confirmed: the organisations saw these persons
before, and hiding them now would break their rosters, classes and sittings. New links start unconfirmed."""

from django.db import migrations


def confirm_existing(apps, schema_editor):
    PersonLink = apps.get_model("registry", "PersonLink")
    sources = [
        (apps.get_model("registry", "Assignment"), "organization_id", "person_id"),
        (apps.get_model("registry", "Assignment"), "dispatched_by_id", "person_id"),
        (apps.get_model("training", "Enrolment"), "training_class__organization_id", "person_id"),
        (apps.get_model("exams", "Registration"), "sitting__exam_point_id", "person_id"),
    ]
    for model, org_path, person_path in sources:
        pairs = (
            model.objects.exclude(**{f"{org_path}__isnull": True})
            .values_list(org_path, person_path)
            .distinct()
            .iterator(chunk_size=5000)
        )
        batch = []
        for organization_id, person_id in pairs:
            batch.append(PersonLink(organization_id=organization_id, person_id=person_id, status="confirmed"))
            if len(batch) == 5000:
                PersonLink.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        PersonLink.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_person_links"),
        ("training", "0002_transition_event_base"),
        ("exams", "0002_transition_event_base"),
    ]

    operations = [migrations.RunPython(confirm_existing, migrations.RunPython.noop)]
