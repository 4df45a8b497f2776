"""The change log speaks Chinese: record types, records, fields, statuses and actors by their names, never the
model keys, field keys or enum values of the stored JSON."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from peikao.core.changelog_display import describe
from peikao.core.models import ChangeLog, Region
from peikao.enforcement import selectors, services
from peikao.enforcement.choices import CheckOutcome
from peikao.enforcement.models import Inspection
from peikao.registry.models import Industry
from peikao.testing.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed() -> Inspection:
    fuzhou = Region.objects.get(code="350100")
    works = OrganizationFactory(
        kind="enterprise", region=Region.objects.get(code="350102"), industry=Industry.objects.get(code="general")
    )
    zhang = UserFactory(username="insp-zhang", full_name="张三", role="inspector", region=fuzhou)
    li = UserFactory(username="insp-li", full_name="李四", role="inspector", region=fuzhou)
    inspection = services.inspection_create(
        actor=zhang, organization=works, kind="routine", inspected_on=timezone.localdate(), inspectors=[zhang, li]
    )
    services.inspection_start(actor=zhang, inspection=inspection)
    for entry in selectors.checklist_items("enterprise"):
        services.check_record(actor=li, inspection=inspection, item=entry, outcome=CheckOutcome.COMPLIANT)
    services.inspection_complete(actor=zhang, inspection=inspection, summary="未发现问题")
    inspection.refresh_from_db()
    return inspection


def test_a_status_change_reads_as_the_records_status_in_chinese_with_its_actor(completed):
    entries = ChangeLog.objects.select_related("content_type", "actor").order_by("id")
    sentences = [str(view) for view in describe(entries)]
    assert f"执法检查 {completed.code} 状态：进行中 → 已完成 (张三)" in sentences, sentences
    assert any("状态：待检查 → 进行中" in sentence for sentence in sentences)


def test_the_change_log_page_shows_no_model_key_field_key_or_enum_value(client, completed):
    client.force_login(UserFactory(username="sysadmin-x", role="system_admin"))
    page = client.get("/changelog/").content.decode()
    body = re.sub(r"<[^>]+>", " ", page.split("<tbody>", 1)[1].split("</tbody>", 1)[0])
    assert f"执法检查 {completed.code}" in body and "进行中 → 已完成" in body and "张三" in body
    for raw in ("inspectionevent", "inspection ·", "completed", "in_progress", "status：", "old_status", "complete"):
        assert raw not in body, raw
    assert "被检查单位：— → " in body and "检查人员" in body  # a created record's fields, by name
    history = client.get("/changelog/?model=inspection").content.decode()
    assert '<option value="inspection" selected>' in history


CHANGE_LOGGED_APPS = ("core", "registry", "accounts", "training", "exams", "certificates", "compliance", "enforcement")


def test_every_model_and_field_the_change_log_can_show_has_a_chinese_name():
    from django.apps import apps
    from django.utils import translation

    from peikao.core.changelog_display import _label, model_label

    def chinese(text: str) -> bool:  # or a technical name that is the same in Chinese
        return text in {"SHA-256"} or any("\u4e00" <= char <= "\u9fff" for char in text)

    untranslated = []
    with translation.override("zh-hans"):
        for model in apps.get_models():
            if model._meta.app_label not in CHANGE_LOGGED_APPS or not model.__module__.startswith("peikao."):
                continue
            if not chinese(model_label(model)):
                untranslated.append(model._meta.label)
            untranslated += [
                f"{model._meta.label}.{field.attname}"
                for field in model._meta.concrete_fields
                if field.attname not in {"id", "created_at", "updated_at", "request_id"}
                and not chinese(_label(field, field.attname))
            ]
    assert not untranslated, untranslated


def test_a_change_without_a_user_is_the_systems_and_a_persons_name_is_its_name(completed):
    from django.utils import translation

    from peikao.core.changelog_display import _label
    from peikao.enforcement.models import RectificationEvent
    from peikao.registry.models import Person

    sentences = [str(view) for view in describe(ChangeLog.objects.select_related("content_type", "actor"))]
    assert f"执法检查 {completed.code} 状态：进行中 → 已完成 (系统)" in sentences  # written outside a request
    with translation.override("zh-hans"):
        assert _label(Person._meta.get_field("name"), "name") == "姓名"
    assert not any("command:" in sentence or "(system)" in sentence for sentence in sentences)
    assert RectificationEvent(transition="escalate", new_status="open").label == "逾期未整改，已升级处理"
