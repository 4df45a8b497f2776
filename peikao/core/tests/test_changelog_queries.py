"""The change log names the records a page of entries points to in a fixed number of queries, also records whose
name is made of other records (an enrolment is named by its person and class): each model declares in
``str_related`` the relations its ``__str__`` reads, and only those are joined."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from peikao.core.changelog_display import describe, str_related
from peikao.core.models import ChangeLog
from peikao.testing.factories import EnrolmentFactory, PersonFactory
from peikao.training.models import CreditedHours

pytestmark = pytest.mark.django_db


def hours_entries(n: int) -> list[ChangeLog]:
    """``n`` entries of credited hours, each pointing to an enrolment of its own."""
    content_type = ContentType.objects.get_for_model(CreditedHours)
    entries = []
    for _ in range(n):
        enrolment = EnrolmentFactory(person=PersonFactory())
        entries.append(
            ChangeLog(
                actor_label="command:class_hours",
                action="create",
                content_type=content_type,
                object_id=str(enrolment.pk),
                object_repr=str(enrolment.pk),
                after={"enrolment_id": enrolment.pk},
            )
        )
    return entries


def queries_to_describe(entries: list[ChangeLog]) -> tuple[int, list]:
    with CaptureQueriesContext(connection) as captured:
        views = describe(entries)
    return len(captured.captured_queries), views


def test_linked_records_are_named_in_as_many_queries_for_one_entry_as_for_many():
    one, _views = queries_to_describe(hours_entries(1))
    entries = hours_entries(6)
    many, views = queries_to_describe(entries)
    assert many == one
    for entry, view in zip(entries, views, strict=True):
        enrolment = CreditedHours._meta.get_field("enrolment").related_model.objects.get(pk=entry.after["enrolment_id"])
        [change] = view.changes
        assert change.after == f"{enrolment.person.name} @ {enrolment.training_class}"


def test_the_names_join_only_the_records_they_read():
    """An enrolment's name reads its person and class: the query joins those two tables, not every record they
    point to in turn (the class's organisation, its region, …)."""
    entries = hours_entries(2)
    with CaptureQueriesContext(connection) as captured:
        describe(entries)
    [sql] = [query["sql"] for query in captured.captured_queries if 'FROM "training_enrolment"' in query["sql"]]
    assert set(re.findall(r'JOIN "(\w+)"', sql)) == {"registry_person", "training_trainingclass"}


def attribute_chains(cls: type, method: str, seen: set | None = None) -> set[tuple[str, ...]]:
    """The chains of attributes that ``cls.method`` reads from ``self`` (``self.person.name``: ``("person",
    "name")`` and ``("person",)``), through the properties and methods of Peikao's own code that it reads."""
    seen = set() if seen is None else seen
    if (cls, method) in seen:
        return set()
    seen.add((cls, method))
    found = inspect.getattr_static(cls, method, None)
    function = found.fget if isinstance(found, property) else found
    if not inspect.isfunction(function) or not function.__module__.startswith("peikao."):
        return set()
    chains = set()
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(function)))):
        chain: list[str] = []
        while isinstance(node, ast.Attribute):
            chain.insert(0, node.attr)
            node = node.value
        if chain and isinstance(node, ast.Name) and node.id == "self":
            chains.add(tuple(chain))
    for chain in list(chains):
        chains |= attribute_chains(cls, chain[0], seen)
    return chains


def relation_path(model: type[models.Model], chain: tuple[str, ...]) -> str:
    """The leading relations of ``chain`` as a ``select_related`` path ("" when it reads none)."""
    path = []
    for name in chain:
        try:
            field = model._meta.get_field(name)
        except Exception:  # not a field: a property, a method, an ``_id`` column
            break
        if field.name != name or not field.concrete or not (field.many_to_one or field.one_to_one):
            break
        path.append(name)
        model = field.related_model
    return "__".join(path)


def named_models() -> set[type[models.Model]]:
    """The models whose records the change log names (those a foreign key points to, and those their names read),
    and those that declare ``str_related``."""
    named = {
        field.related_model
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.is_relation and isinstance(field.related_model, type)
    }
    named |= {model for model in apps.get_models() if "str_related" in vars(model)}
    for model in list(named):
        named |= {model._meta.get_field(path.split("__")[0]).related_model for path in str_related(model)}
    return {model for model in named if model.__module__.startswith("peikao.")}


def test_every_named_model_declares_the_relations_its_name_reads():
    wrong = []
    for model in sorted(named_models(), key=lambda model: model._meta.label):
        paths = {relation_path(model, chain) for chain in attribute_chains(model, "__str__")} - {""}
        declared = set(getattr(model, "str_related", ()))
        if {path.split("__")[0] for path in paths} != declared or not paths <= set(str_related(model)):
            wrong.append(f"{model._meta.label}: its __str__ reads {sorted(paths)}, str_related = {sorted(declared)}")
        str(model._base_manager.select_related(*str_related(model)).query)  # every path a relation (FieldError)
    assert not wrong, "\n".join(wrong)


def test_the_checker_sees_relations_read_through_properties():
    from peikao.registry.models import PersonLink

    assert ("person", "name") in attribute_chains(PersonLink, "__str__")  # display_name, a property
    assert relation_path(PersonLink, ("person", "name")) == "person"
    assert relation_path(PersonLink, ("person_id",)) == ""
