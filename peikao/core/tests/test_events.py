"""Event tables: one shape (TransitionEvent), scoped through the record they belong to, tied to their request."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from peikao.core.audit import audit_context
from peikao.core.events import TransitionEvent, TransitionEventQuerySet
from peikao.core.models import ChangeLog
from peikao.core.scoping import ScopeSpec

EVENT_TABLES = {
    "CertificateEvent",
    "LeadEvent",
    "InspectionEvent",
    "RectificationEvent",
    "ClassEvent",
    "SittingEvent",
    "ResultEvent",
    "OrganizationEvent",
    "PersonLinkEvent",
    "AlertEvent",
    "GradeEvent",
    "ExitProposalEvent",
    "CommitmentEvent",
    "InjuryCaseEvent",
}
SHARED = ("transition", "old_status", "new_status", "reason", "actor", "actor_label", "time", "request_id")


def event_models() -> list[type[TransitionEvent]]:
    return sorted(
        (model for model in apps.get_models() if issubclass(model, TransitionEvent)), key=lambda m: m.__name__
    )


def shape(field: models.Field) -> tuple:
    return (
        type(field),
        field.max_length,
        field.null,
        field.blank,
        str(field.verbose_name),
        getattr(field.remote_field, "on_delete", None),
    )


def test_every_model_named_event_with_a_transition_is_a_transition_event():
    """A hand-copied event table (a new ``FooEvent`` with its own ``transition`` field) fails here."""
    hand_copied, found = [], set()
    for model in apps.get_models():
        if not model.__name__.endswith("Event"):
            continue
        if not any(field.name == "transition" for field in model._meta.get_fields()):
            continue  # evidence, not a transition (AttendanceEvent)
        found.add(model.__name__)
        if not issubclass(model, TransitionEvent):
            hand_copied.append(model._meta.label)
    assert not hand_copied, f"subclass peikao.core.events.TransitionEvent: {hand_copied}"
    assert found == EVENT_TABLES == {model.__name__ for model in event_models()}


@pytest.mark.parametrize("model", event_models(), ids=lambda m: m.__name__)
def test_every_event_table_has_the_shared_fields_alike(model):
    for name in SHARED:
        field, base = model._meta.get_field(name), TransitionEvent._meta.get_field(name)
        assert shape(field) == shape(base), (model.__name__, name)
    assert model._meta.get_field("transition").max_length == 32
    assert model._meta.get_field("request_id").max_length == 64
    # The status fields are narrowed to the table's own status enum.
    assert model._meta.get_field("old_status").choices == model._meta.get_field("new_status").choices
    assert model._meta.get_field("new_status").choices
    assert model._meta.ordering == ["time", "id"]
    assert model.__str__ is TransitionEvent.__str__
    assert isinstance(model.objects.none(), TransitionEventQuerySet)


@pytest.mark.parametrize("model", event_models(), ids=lambda m: m.__name__)
def test_every_event_table_belongs_to_one_record_and_reads_its_events_in_time_by_an_index(model):
    owner = model.owner_field()
    assert isinstance(owner, models.ForeignKey) and not owner.null
    assert owner.remote_field.on_delete is models.PROTECT  # events are kept as long as their record
    assert owner.remote_field.related_name == "events"
    # status of the owner ↔ status of the event: the same enum (an owner may name its status field otherwise)
    status = getattr(owner.related_model, "STATUS_FIELD", "status")
    assert model._meta.get_field("new_status").choices == owner.related_model._meta.get_field(status).choices
    assert [owner.name, "time"] in [list(index.fields) for index in model._meta.indexes]


@pytest.mark.parametrize("model", event_models(), ids=lambda m: m.__name__)
def test_a_declared_scope_only_narrows_the_owners(model):
    """An event table's own ``Scope`` (if any) follows paths of its record's ``Scope``, never others."""
    scope = getattr(model, "Scope", ScopeSpec)
    owner = model.owner_field()
    owner_scope = getattr(owner.related_model, "Scope", ScopeSpec)
    for kind in ("region", "organization", "person"):
        allowed = {owner.name if path == "pk" else f"{owner.name}__{path}" for path in getattr(owner_scope, kind)}
        assert set(getattr(scope, kind)) <= allowed, (model.__name__, kind)


def _event(model, record, label: str):
    status = getattr(record, getattr(type(record), "STATUS_FIELD", "status"))
    return model.objects.create(
        **{model.OWNER_FIELD: record},
        transition="test",
        old_status=status,
        new_status=status,
        actor_label=label,
    )


@pytest.mark.parametrize("model", event_models(), ids=lambda m: m.__name__)
def test_a_county_inspector_sees_the_events_of_his_countys_records_only(world, model, django_assert_num_queries):
    inspector = world.users["county_inspector"]
    owner = model.OWNER_FIELD
    mine = _event(model, world.own["county_inspector"][owner], "mine")
    theirs = _event(model, world.foreign["county_inspector"][owner], "theirs")
    with django_assert_num_queries(1):
        visible = set(model.objects.visible_to(inspector))
    assert mine in visible and theirs not in visible
    assert set(model.objects.visible_to(world.users["ministry_admin"])) >= {mine, theirs}
    assert not model.objects.visible_to(None).exists()


@pytest.mark.parametrize("model", event_models(), ids=lambda m: m.__name__)
def test_nobody_sees_the_events_of_a_record_he_cannot_see(world, model):
    owner = model.owner_field()
    records = owner.related_model.objects.all()
    for record in records:
        _event(model, record, "any")
    for persona, user in world.users.items():
        seen = set(model.objects.visible_to(user).values_list(owner.attname, flat=True))
        may = set(owner.related_model.objects.visible_to(user).values_list("pk", flat=True))
        assert seen <= may, persona
        if getattr(model, "Scope", ScopeSpec) is ScopeSpec:  # not narrowed: exactly the records' events
            assert seen == may, persona


def test_apply_transition_writes_the_request_id_of_its_change_log_entries(world):
    from peikao.registry import services
    from peikao.registry.models import OrganizationEvent

    org = world.orgs["ent_a"]
    with audit_context(user=world.users["province_admin"], request_id="req-0042"):
        event = services.organization_suspend(actor=world.users["province_admin"], organization=org, reason="检查")
    event.refresh_from_db()
    assert event.request_id == "req-0042"
    logged = ChangeLog.objects.filter(object_repr=str(event)).get()
    assert logged.request_id == "req-0042" and logged.after["request_id"] == "req-0042"
    assert OrganizationEvent.objects.get().request_id == "req-0042"


def test_a_web_request_leaves_its_id_on_the_event(world, client):
    from peikao.registry.models import OrganizationEvent

    org = world.orgs["ent_a"]
    client.force_login(world.users["province_admin"])
    response = client.post(
        f"/registry/organizations/{org.org_code}/status/",
        {"status": "suspended", "reason": "检查发现问题"},
        HTTP_X_REQUEST_ID="proxy-7.a",
    )
    assert response.status_code == 302
    assert OrganizationEvent.objects.get(organization=org).request_id == "proxy-7.a"


def test_events_built_by_a_service_or_an_import_carry_the_request_id_too(world):
    """Steps that change no status (an issue, an escalation) and imports build their rows themselves:
    the field's default reads the audit context, outside one it stays empty."""
    from peikao.certificates.models import CertificateEvent

    certificate = world.own["county_inspector"]["certificate"]
    with audit_context(label="command:test", request_id="cmd-1"):
        CertificateEvent.objects.bulk_create(
            [CertificateEvent(certificate=certificate, transition="import", new_status="valid", actor_label="import")]
        )
        built = CertificateEvent(certificate=certificate, transition="review", new_status="valid", actor_label="x")
    outside = CertificateEvent(certificate=certificate, transition="review", new_status="valid", actor_label="x")
    assert CertificateEvent.objects.get(transition="import").request_id == "cmd-1"
    assert built.request_id == "cmd-1" and outside.request_id == ""


def test_an_event_is_named_by_its_record_without_revealing_an_id_number(world):
    from peikao.certificates.models import CertificateEvent

    certificate = world.own["county_inspector"]["certificate"]
    event = _event(CertificateEvent, certificate, "x")
    text = str(event)
    assert text.startswith(str(certificate)) and text.endswith("：test")  # no status change: the step
    assert certificate.person.id_number not in text


def test_an_event_names_the_statuses_it_moved_between_in_chinese(world):
    """The change log shows an event by this name: status labels, never their codes."""
    from django.utils import translation

    from peikao.enforcement.choices import InspectionStatus
    from peikao.enforcement.models import InspectionEvent

    inspection = world.own["county_inspector"]["inspection"]
    event = InspectionEvent(inspection=inspection, transition="start", old_status="planned",
                            new_status="in_progress", actor_label="x")  # fmt: skip
    with translation.override("zh-hans"):
        text = str(event)
        labels = f"{InspectionStatus.PLANNED.label} → {InspectionStatus.IN_PROGRESS.label}"
    assert text == f"{inspection}：{labels}" and labels.endswith("进行中")
    assert "planned" not in text and "in_progress" not in text
