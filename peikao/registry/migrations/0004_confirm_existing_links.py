"""Links made before person links existed (ADR 0009) are taken as confirmed: the organisations saw these persons
before, and hiding them now would break their rosters, classes and sittings. New links start unconfirmed.

One INSERT … SELECT DISTINCT per kind of link, in the database (PostgreSQL and SQLite both know ON CONFLICT)."""

from django.db import migrations
from django.db.models import CharField, DateTimeField, Value
from django.utils import timezone


def confirm_existing(apps, schema_editor):
    link_table = apps.get_model("registry", "PersonLink")._meta.db_table
    now = timezone.now()
    sources = [
        (apps.get_model("registry", "Assignment"), "organization_id", "person_id"),
        (apps.get_model("registry", "Assignment"), "dispatched_by_id", "person_id"),
        (apps.get_model("training", "Enrolment"), "training_class__organization_id", "person_id"),
        (apps.get_model("exams", "Registration"), "sitting__exam_point_id", "person_id"),
    ]
    connection = schema_editor.connection
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(c) for c in ("organization_id", "person_id", "entered_name", "status", "created_at", "updated_at")
    )
    for model, org_path, person_path in sources:
        pairs = (
            model.objects.exclude(**{f"{org_path}__isnull": True})
            .annotate(
                _entered=Value("", output_field=CharField()),
                _status=Value("confirmed", output_field=CharField()),
                _created=Value(now, output_field=DateTimeField()),
                _updated=Value(now, output_field=DateTimeField()),
            )
            .values_list(org_path, person_path, "_entered", "_status", "_created", "_updated")
            .distinct()
            .order_by()
        )
        select, params = pairs.query.sql_with_params()
        sql = f"INSERT INTO {quote(link_table)} ({columns}) {select} ON CONFLICT DO NOTHING"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_person_links"),
        ("training", "0002_transition_event_base"),
        ("exams", "0002_transition_event_base"),
    ]

    operations = [migrations.RunPython(confirm_existing, migrations.RunPython.noop)]
