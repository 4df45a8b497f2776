"""Every violation has a short Chinese name, and a person reads it wherever a violation is shown: the checklist,
findings, decisions and their documents, rectifications, the public case page, the catalogue, compliance gaps
and alerts (the code at most a small tag beside it)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import docx
import pytest

from peikao.core.models import Region
from peikao.enforcement import services
from peikao.enforcement.documents import decision_docx
from peikao.enforcement.forms import FindingForm, ViolationForm
from peikao.enforcement.models import ViolationItem
from peikao.enforcement.refdata import catalogue_rows
from peikao.enforcement.tests.test_enforcement import TODAY, item, site, started  # noqa: F401
from peikao.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

HAN = re.compile(r"^[\u4e00-\u9fff（）、，]+$")
NO_TRAIN = "未按照规定对从业人员进行安全生产教育和培训"


def test_every_item_of_the_catalogue_has_a_short_chinese_name():
    rows = catalogue_rows()
    assert len(rows) == 25  # 22 items of the domain file and 3 surface items
    names = {row["code"]: row["name"] for row in rows}
    for code, name in names.items():
        assert name and HAN.match(name), code  # Chinese only: no code, no English
        assert 4 <= len(name) <= 30, code
    assert len(set(names.values())) == len(names)  # two items are never read alike
    assert names["ENT-PLAN"] == "未按规定制定培训计划"
    assert names["ENT-NO-TRAIN"] == NO_TRAIN
    assert names["ENT-FALSE-RECORD"] == "未如实记录安全生产教育和培训情况"
    # Loaded: every current item in the database carries its name.
    current = ViolationItem.objects.filter(retired=False, added_by__isnull=True)
    assert current.count() == 25 and not current.filter(name="").exists()
    assert item("IND-LEND-CERT").name == "转借、转让、冒用特种作业操作证"


def test_the_label_falls_back_to_what_is_checked_and_str_keeps_the_code_as_a_tag():
    unnamed = ViolationItem(code="X-1", check_text="一项由管理员添加、尚未命名的检查内容" * 3)
    assert unnamed.label == unnamed.check_text[:40]
    assert str(item("ENT-PLAN")) == "未按规定制定培训计划（ENT-PLAN）"


def test_a_new_name_is_a_new_version_and_an_administrator_gives_one(site):  # noqa: F811
    revised = services.violation_save(actor=site["admin"], code="ENT-PLAN", data={"name": "未制定年度安全培训计划"})
    assert revised.version == 2 and revised.name == "未制定年度安全培训计划"
    assert ViolationItem.objects.get(code="ENT-PLAN", version=1).name == "未按规定制定培训计划"  # kept as judged
    form = ViolationForm(data={"code": "X-LOCAL", "subject_type": "enterprise", "check_text": "地方检查项",
                               "basis": "order_3 art. 29"})  # fmt: skip
    assert not form.is_valid() and "name" in form.errors  # a new item is named


def test_the_finding_form_offers_items_by_name():
    form = FindingForm(items=[item("ENT-FALSE-RECORD")])
    labels = [label for _value, label in form.fields["violation"].choices]
    assert "未如实记录安全生产教育和培训情况（ENT-FALSE-RECORD）" in labels


def test_the_inspection_page_lists_checks_and_findings_by_name(site, client):  # noqa: F811
    inspection = started(site)
    services.finding_record(actor=site["a"], inspection=inspection, violation=item("ENT-NO-TRAIN"),
                            description="两名员工未经培训上岗")  # fmt: skip
    client.force_login(site["a"])
    page = client.get(f"/enforcement/inspections/{inspection.code}/").content.decode()
    findings = page.split('id="findings"', 1)[1].split("</ul>", 1)[0]
    assert f"<strong>{NO_TRAIN}</strong>" in findings and "两名员工未经培训上岗" in findings
    assert '<small class="muted"><code>ENT-NO-TRAIN</code></small>' in findings
    check = page.split('id="check-ENT-FALSE-RECORD"', 1)[1].split("</li>", 1)[0]
    assert "<strong>未如实记录安全生产教育和培训情况</strong>" in check and item("ENT-FALSE-RECORD").check_text in check


def test_decisions_their_documents_and_the_rectification_name_the_violation(site, client):  # noqa: F811
    inspection = started(site)
    problem = services.finding_record(actor=site["a"], inspection=inspection, violation=item("ENT-NO-TRAIN"),
                                      description="两名员工未经培训上岗")  # fmt: skip
    order = services.decision_issue(actor=site["a"], inspection=inspection, findings=[problem],
                                    measure="rectify_order", decided_on=TODAY,
                                    due_on=TODAY + dt.timedelta(days=15))  # fmt: skip
    client.force_login(site["a"])
    page = client.get(f"/enforcement/decisions/{order.code}/").content.decode()
    assert f"<strong>{NO_TRAIN}</strong>" in page and "第九十七条第三项" in page
    body, _name = decision_docx(order)
    table = docx.Document(io.BytesIO(body)).tables[-1]
    cells = [cell.text for row in table.rows for cell in row.cells]
    assert f"{NO_TRAIN}：两名员工未经培训上岗" in cells
    page = client.get(f"/enforcement/rectifications/{order.rectification.pk}/").content.decode()
    listed = page.split('id="rectification-findings"', 1)[1].split("</ul>", 1)[0]
    assert f"<strong>{NO_TRAIN}</strong>：两名员工未经培训上岗" in listed
    form = client.get(f"/enforcement/inspections/{inspection.code}/decide/").content.decode()
    ranges = form.split('id="legal-ranges"', 1)[1].split("</table>", 1)[0]
    assert f"<strong>{NO_TRAIN}</strong>" in ranges


def test_the_public_case_page_names_the_violation_without_its_code(site, client):  # noqa: F811
    inspection = started(site)
    problem = services.finding_record(actor=site["a"], inspection=inspection, violation=item("ENT-FALSE-RECORD"),
                                      description="培训记录与实际不符")  # fmt: skip
    public = services.decision_issue(actor=site["a"], inspection=inspection, findings=[problem], measure="fine",
                                     decided_on=TODAY, fine_yuan=Decimal(20000), publicized=True)  # fmt: skip
    body = client.get(f"/cases/{public.code}/").content.decode()
    listed = body.split('id="case-findings"', 1)[1].split("</ul>", 1)[0]
    assert "<strong>未如实记录安全生产教育和培训情况</strong>" in listed and "第九十七条第四项" in listed
    assert "ENT-FALSE-RECORD" not in body


def test_the_catalogue_page_and_the_compliance_summary_read_names(site, client):  # noqa: F811
    from peikao.compliance import services as compliance_services

    compliance_services.scan(actor=site["admin"], region=Region.objects.get(code="350000"), as_of=TODAY)
    client.force_login(UserFactory(role="inspector", region=Region.objects.get(code="350102")))
    body = client.get("/enforcement/catalogue/").content.decode()
    row = body.split("<code>ENT-PLAN</code>", 1)[0].rsplit("<tr>", 1)[1]
    assert "<strong>未按规定制定培训计划</strong>" in row
    page = client.get("/compliance/").content.decode()
    gaps = page.split('id="gap-types"', 1)[1].split("</table>", 1)[0]
    assert "特种作业人员未按照规定取得相应资格上岗作业" in gaps and "<code>ENT-UNCERT-SPECOPS</code>" in gaps
