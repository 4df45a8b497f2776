"""The names an explanation reads out: persons, organisations, classes, lessons, sittings, items — fetched in one
query per kind for all the alerts of a run."""

from __future__ import annotations

from collections.abc import Iterable

from peikao.core.privacy import mask_id_number
from peikao.exams.models import Sitting
from peikao.registry.models import OperationItem, Organization, Person
from peikao.training.models import Lesson, TrainingClass


def persons(ids: Iterable[int | None]) -> dict[int, dict[str, str]]:
    wanted = {pk for pk in ids if pk is not None}
    return {
        pk: {"name": name, "id_number": mask_id_number(number)}
        for pk, name, number in Person.objects.filter(pk__in=wanted).values_list("pk", "name", "id_number")
    }


def organizations(ids: Iterable[int]) -> dict[int, dict[str, str]]:
    return {
        pk: {"name": name, "org_code": code, "region": region}
        for pk, name, code, region in Organization.objects.filter(pk__in=set(ids)).values_list(
            "pk", "name", "org_code", "region_id"
        )
    }


def classes(ids: Iterable[int]) -> dict[int, dict[str, str]]:
    return {
        pk: {"code": code, "label": f"{name}（{code}）" if name else code}
        for pk, code, name in TrainingClass.objects.filter(pk__in=set(ids)).values_list("pk", "class_code", "name")
    }


def lessons(ids: Iterable[int]) -> dict[int, str]:
    return dict(Lesson.objects.filter(pk__in=set(ids)).values_list("pk", "lesson_code"))


def sittings(ids: Iterable[int]) -> dict[int, str]:
    return dict(Sitting.objects.filter(pk__in=set(ids)).values_list("pk", "sitting_code"))


def items(ids: Iterable[int]) -> dict[int, str]:
    return {
        pk: f"{name}（{code}）"
        for pk, code, name in OperationItem.objects.filter(pk__in=set(ids)).values_list("pk", "code", "name")
    }
